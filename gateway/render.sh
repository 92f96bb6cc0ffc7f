#!/usr/bin/env bash
# Render the nginx gateway configuration into OUTDIR.
#
#   AUTH_UPSTREAM=127.0.0.1:8001 CUSTOMERS_UPSTREAM=127.0.0.1:8002 gateway/render.sh OUTDIR
#
# Writes OUTDIR/nginx.conf (copied verbatim) and OUTDIR/conf.d/** (every
# templates/**/*.conf.template through envsubst, `.template` stripped). Only the variables
# below are substituted; nginx's own $variables pass through. Writes nothing outside OUTDIR.
# Used by every run mode: dev orchestrator, container entrypoint, Kubernetes init step.
#
# Variables:
#   GATEWAY_PORT        listen port (default 8080)
#   AUTH_UPSTREAM       host:port of the auth service (required)
#   CUSTOMERS_UPSTREAM  host:port of the customers service (required)
set -o errexit -o nounset -o pipefail

die() { printf 'render.sh: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || die "usage: render.sh OUTDIR"
outdir=$1

src_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
templates_dir=$src_dir/templates
[[ -f $src_dir/nginx.conf ]] || die "missing $src_dir/nginx.conf"
[[ -d $templates_dir ]] || die "missing $templates_dir"

export GATEWAY_PORT=${GATEWAY_PORT:-8080}
[[ -n ${AUTH_UPSTREAM:-} ]] || die "AUTH_UPSTREAM is not set (host:port of the auth service, e.g. 127.0.0.1:8001)"
[[ -n ${CUSTOMERS_UPSTREAM:-} ]] || die "CUSTOMERS_UPSTREAM is not set (host:port of the customers service, e.g. 127.0.0.1:8002)"
export AUTH_UPSTREAM CUSTOMERS_UPSTREAM

# Validate, so that a value can never inject nginx configuration.
if [[ ! $GATEWAY_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$GATEWAY_PORT < 1 || 10#$GATEWAY_PORT > 65535)); then
    die "GATEWAY_PORT must be a port number (1-65535), got '$GATEWAY_PORT'"
fi
upstream_re='^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$'
for name in AUTH_UPSTREAM CUSTOMERS_UPSTREAM; do
    [[ ${!name} =~ $upstream_re ]] || die "$name must be host:port (e.g. auth:8000 or 127.0.0.1:8001), got '${!name}'"
done

# shellcheck disable=SC2016 # literal names for envsubst, not expansions
variables='${GATEWAY_PORT} ${AUTH_UPSTREAM} ${CUSTOMERS_UPSTREAM}'

mkdir -p -- "$outdir"
outdir=$(cd -- "$outdir" && pwd -P)
[[ $outdir != "$src_dir" ]] || die "OUTDIR must not be the gateway source directory"

# Render into a staging directory inside OUTDIR, then swap it in, so a running nginx
# never reloads a half-written conf.d and a removed template leaves no stale file.
staging=$(mktemp -d "$outdir/.render.XXXXXX")
trap 'rm -rf -- "$staging"' EXIT

count=0
while IFS= read -r -d '' template; do
    rel=${template#"$templates_dir"/}
    target=$staging/conf.d/${rel%.template}
    mkdir -p -- "$(dirname -- "$target")"
    envsubst "$variables" <"$template" >"$target"
    # An ${UPPER_CASE} left over is a variable this script does not provide.
    # shellcheck disable=SC2016
    if leftover=$(grep -on '\${[A-Z][A-Z0-9_]*}' "$target"); then
        die "$rel uses variables render.sh does not substitute: $(tr '\n' ' ' <<<"$leftover")"
    fi
    count=$((count + 1))
done < <(find "$templates_dir" -type f -name '*.conf.template' -print0 | sort -z)
((count > 0)) || die "no *.conf.template under $templates_dir"

cp -- "$src_dir/nginx.conf" "$staging/nginx.conf"

rm -rf -- "$outdir/conf.d.old"
if [[ -e $outdir/conf.d ]]; then
    mv -- "$outdir/conf.d" "$outdir/conf.d.old"
fi
mv -- "$staging/conf.d" "$outdir/conf.d"
mv -f -- "$staging/nginx.conf" "$outdir/nginx.conf"
rm -rf -- "$outdir/conf.d.old"

printf 'render.sh: rendered %d files into %s (port %s, auth %s, customers %s)\n' \
    "$count" "$outdir" "$GATEWAY_PORT" "$AUTH_UPSTREAM" "$CUSTOMERS_UPSTREAM" >&2
