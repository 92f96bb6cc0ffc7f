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
# One set of templates for every mode. TLS is on when GATEWAY_TLS_CERT and GATEWAY_TLS_KEY
# are set: then templates named *.tls.conf.template are rendered, otherwise those named
# *.plain.conf.template; every other template is rendered in both.
#
# Variables (see gateway/README.md):
#   GATEWAY_PORT                 plain HTTP listen port (default 8080)
#   AUTH_UPSTREAM                host:port of auth, or several, space- or comma-separated (required)
#   CUSTOMERS_UPSTREAM           host:port of customers, or several (required)
#   GATEWAY_UPSTREAM_MAX_CONNS   requests in flight per upstream server (default 32)
#   GATEWAY_AUTH_RATE            credential POSTs per client address, Nr/s or Nr/m (default 10r/s)
#   GATEWAY_AUTH_BURST           requests above that rate let through at once (default 20)
#   GATEWAY_TLS_CERT             TLS certificate chain, absolute path (TLS off when unset)
#   GATEWAY_TLS_KEY              its private key, absolute path
#   GATEWAY_TLS_PORT             HTTPS listen port (default 8443)
#   GATEWAY_TLS_REDIRECT_PORT    HTTPS port clients see, for redirects (default GATEWAY_TLS_PORT)
#   GATEWAY_DOCS_ROOT            the API reference served at /docs/ and /schemas/, absolute path
#                                (default: docs/ beside this script, i.e. gateway/docs of the checkout)
#   API_V1_DEPRECATED_AT         v1's deprecation and sunset (ISO 8601, the services' own variables and
#   API_V1_SUNSET_AT             defaults): the gateway's own errors on /v1/ carry them as the services do
#   GATEWAY_TRUSTED_PROXIES      addresses or CIDR ranges of proxies in front of the gateway (an Ingress
#                                controller, a load balancer), space- or comma-separated (default: none):
#                                their X-Forwarded-For names the client, their X-Forwarded-Proto its scheme
set -o errexit -o nounset -o pipefail

die() { printf 'render.sh: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || die "usage: render.sh OUTDIR"
outdir=$1

src_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
templates_dir=$src_dir/templates
[[ -f $src_dir/nginx.conf ]] || die "missing $src_dir/nginx.conf"
[[ -d $templates_dir ]] || die "missing $templates_dir"

# --- Validate every value, so that none can ever inject nginx configuration ---
is_port() { [[ $1 =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }
is_count() { [[ $1 =~ ^[0-9]{1,6}$ ]] && ((10#$1 >= $2)); }
path_re='^/[A-Za-z0-9._/-]+$'

GATEWAY_PORT=${GATEWAY_PORT:-8080}
is_port "$GATEWAY_PORT" || die "GATEWAY_PORT must be a port number (1-65535), got '$GATEWAY_PORT'"
GATEWAY_PORT=$((10#$GATEWAY_PORT))

GATEWAY_UPSTREAM_MAX_CONNS=${GATEWAY_UPSTREAM_MAX_CONNS:-32}
is_count "$GATEWAY_UPSTREAM_MAX_CONNS" 1 \
    || die "GATEWAY_UPSTREAM_MAX_CONNS must be a whole number >= 1, got '$GATEWAY_UPSTREAM_MAX_CONNS'"
GATEWAY_UPSTREAM_MAX_CONNS=$((10#$GATEWAY_UPSTREAM_MAX_CONNS))

GATEWAY_AUTH_RATE=${GATEWAY_AUTH_RATE:-10r/s}
if [[ ! $GATEWAY_AUTH_RATE =~ ^([0-9]{1,6})r/([sm])$ ]] || ((10#${BASH_REMATCH[1]} < 1)); then
    die "GATEWAY_AUTH_RATE must be Nr/s or Nr/m with N >= 1 (e.g. 10r/s), got '$GATEWAY_AUTH_RATE'"
fi
# Retry-After of a 429: the time one request's worth of the rate takes to come back.
rate=$((10#${BASH_REMATCH[1]})) unit=${BASH_REMATCH[2]}
GATEWAY_AUTH_RATE=$rate"r/$unit"
if [[ $unit == s ]]; then
    GATEWAY_AUTH_RETRY_AFTER=1
else
    GATEWAY_AUTH_RETRY_AFTER=$(((60 + rate - 1) / rate))
fi
GATEWAY_AUTH_BURST=${GATEWAY_AUTH_BURST:-20}
is_count "$GATEWAY_AUTH_BURST" 1 || die "GATEWAY_AUTH_BURST must be a whole number >= 1, got '$GATEWAY_AUTH_BURST'"
GATEWAY_AUTH_BURST=$((10#$GATEWAY_AUTH_BURST))

# AUTH_UPSTREAM="a:8000" or "a:8000 b:8000" or "a:8000,b:8000" -> AUTH_SERVERS, one
# `server` line each (the indentation matches upstreams.conf.template).
upstream_re='^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$'
server_lines() {
    local name=$1 list=${!1:-} lines='' address
    local -a addresses
    [[ -n ${list//[ ,]/} ]] || die "$name is not set (host:port of the service, or several separated by spaces or commas)"
    IFS=$' \t\n,' read -r -d '' -a addresses <<<"$list" || true  # the whole value, every line
    for address in "${addresses[@]}"; do
        [[ -n $address ]] || continue
        if [[ ! $address =~ $upstream_re ]] || ! is_port "${address##*:}"; then
            die "$name must be host:port, or several separated by spaces or commas (e.g. auth:8000 or 127.0.0.1:8001), got '$address'"
        fi
        [[ $lines != *" $address "* ]] || die "$name lists $address twice"
        lines+="${lines:+$'\n    '}server $address max_conns=$GATEWAY_UPSTREAM_MAX_CONNS;"
    done
    printf '%s' "$lines"
}
AUTH_SERVERS=$(server_lines AUTH_UPSTREAM)
CUSTOMERS_SERVERS=$(server_lines CUSTOMERS_UPSTREAM)

# The static API reference (make schema writes it): in the image it is /opt/gateway/docs (the
# Dockerfile sets this variable, for the Kubernetes init container too), in a checkout gateway/docs.
GATEWAY_DOCS_ROOT=${GATEWAY_DOCS_ROOT:-$src_dir/docs}
GATEWAY_DOCS_ROOT=${GATEWAY_DOCS_ROOT%/}
# Any absolute path a checkout may have (spaces too: the templates quote it), but nothing nginx would
# read as syntax or as a $variable.
docs_path_re='^/[^"'\''\\$;{}[:cntrl:]]+$'
[[ $GATEWAY_DOCS_ROOT =~ $docs_path_re ]] \
    || die "GATEWAY_DOCS_ROOT must be an absolute path without quotes, backslashes, \$, ;, { or }, got '$GATEWAY_DOCS_ROOT'"
# Read by nginx when it serves, not now (the render step may run elsewhere): warn, do not fail.
[[ -f $GATEWAY_DOCS_ROOT/reference/index.html ]] \
    || printf 'render.sh: warning: %s has no reference/index.html here; /docs/ answers 404 unless nginx sees it\n' \
        "$GATEWAY_DOCS_ROOT" >&2

# v1's lifecycle dates (fleet_common.settings.DEFAULT_API_LIFECYCLE has the same defaults) as the headers
# send them: Deprecation `@<unix time>` (RFC 9745) and Sunset as an HTTP date (RFC 8594).
iso_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$'
v1_date() {
    local name=$1 value=${!1:-$2}
    [[ $value =~ $iso_re ]] && date -u -d "$value" "+$3" 2>/dev/null \
        || die "$name must be an ISO 8601 date or date and time (e.g. 2026-12-01T00:00:00+00:00), got '$value'"
}
GATEWAY_V1_DEPRECATION=@$(v1_date API_V1_DEPRECATED_AT 2026-12-01T00:00:00+00:00 %s)
GATEWAY_V1_SUNSET=$(LC_ALL=C v1_date API_V1_SUNSET_AT 2027-12-01T00:00:00+00:00 '%a, %d %b %Y %H:%M:%S GMT')

# GATEWAY_TRUSTED_PROXIES -> one `set_real_ip_from` line and one `geo` entry each (realip.conf.template).
proxy_re='^([0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$'
trusted=()
IFS=$' \t\n,' read -r -d '' -a proxies <<<"${GATEWAY_TRUSTED_PROXIES:-}" || true
for proxy in "${proxies[@]}"; do
    [[ -n $proxy ]] || continue
    [[ $proxy =~ $proxy_re ]] \
        || die "GATEWAY_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got '$proxy'"
    [[ " ${trusted[*]} " != *" $proxy "* ]] || die "GATEWAY_TRUSTED_PROXIES lists $proxy twice"
    trusted+=("$proxy")
done
GATEWAY_REAL_IP_FROM='# (no trusted proxy: the address a connection comes from is the client'"'"'s)'
GATEWAY_TRUSTED_PROXY_RANGES=''
if ((${#trusted[@]})); then
    GATEWAY_REAL_IP_FROM=$(printf 'set_real_ip_from %s;\n' "${trusted[@]}")
    ranges=$(printf '%s 1;\n' "${trusted[@]}")
    GATEWAY_TRUSTED_PROXY_RANGES=${ranges//$'\n'/$'\n    '}  # the template indents the first
fi

GATEWAY_TLS_CERT=${GATEWAY_TLS_CERT:-}
GATEWAY_TLS_KEY=${GATEWAY_TLS_KEY:-}
GATEWAY_TLS_PORT=${GATEWAY_TLS_PORT:-8443}
GATEWAY_TLS_REDIRECT_PORT=${GATEWAY_TLS_REDIRECT_PORT:-$GATEWAY_TLS_PORT}
GATEWAY_HTTPS_PORT_SUFFIX=''
if [[ -n $GATEWAY_TLS_CERT || -n $GATEWAY_TLS_KEY ]]; then
    mode=tls
    for name in GATEWAY_TLS_CERT GATEWAY_TLS_KEY; do
        [[ -n ${!name} ]] || die "$name is not set: TLS needs both GATEWAY_TLS_CERT and GATEWAY_TLS_KEY"
        [[ ${!name} =~ $path_re ]] || die "$name must be an absolute path of letters, digits and ._/-, got '${!name}'"
    done
    is_port "$GATEWAY_TLS_PORT" || die "GATEWAY_TLS_PORT must be a port number (1-65535), got '$GATEWAY_TLS_PORT'"
    is_port "$GATEWAY_TLS_REDIRECT_PORT" \
        || die "GATEWAY_TLS_REDIRECT_PORT must be a port number (1-65535), got '$GATEWAY_TLS_REDIRECT_PORT'"
    GATEWAY_TLS_PORT=$((10#$GATEWAY_TLS_PORT)) GATEWAY_TLS_REDIRECT_PORT=$((10#$GATEWAY_TLS_REDIRECT_PORT))
    ((GATEWAY_TLS_PORT != GATEWAY_PORT)) || die "GATEWAY_TLS_PORT and GATEWAY_PORT must differ"
    ((GATEWAY_TLS_REDIRECT_PORT == 443)) || GATEWAY_HTTPS_PORT_SUFFIX=":$GATEWAY_TLS_REDIRECT_PORT"
    skip_suffix=.plain.conf.template
else
    mode=plain
    skip_suffix=.tls.conf.template
fi

export GATEWAY_PORT GATEWAY_UPSTREAM_MAX_CONNS GATEWAY_AUTH_RATE GATEWAY_AUTH_BURST GATEWAY_AUTH_RETRY_AFTER \
    AUTH_SERVERS CUSTOMERS_SERVERS GATEWAY_TLS_CERT GATEWAY_TLS_KEY GATEWAY_TLS_PORT GATEWAY_HTTPS_PORT_SUFFIX \
    GATEWAY_DOCS_ROOT GATEWAY_V1_DEPRECATION GATEWAY_V1_SUNSET GATEWAY_REAL_IP_FROM GATEWAY_TRUSTED_PROXY_RANGES
# shellcheck disable=SC2016 # literal names for envsubst, not expansions
variables='${GATEWAY_PORT} ${GATEWAY_UPSTREAM_MAX_CONNS} ${GATEWAY_AUTH_RATE} ${GATEWAY_AUTH_BURST}
${GATEWAY_AUTH_RETRY_AFTER} ${AUTH_SERVERS} ${CUSTOMERS_SERVERS} ${GATEWAY_TLS_CERT} ${GATEWAY_TLS_KEY}
${GATEWAY_TLS_PORT} ${GATEWAY_HTTPS_PORT_SUFFIX} ${GATEWAY_DOCS_ROOT} ${GATEWAY_V1_DEPRECATION} ${GATEWAY_V1_SUNSET}
${GATEWAY_REAL_IP_FROM} ${GATEWAY_TRUSTED_PROXY_RANGES}'

mkdir -p -- "$outdir"
outdir=$(cd -- "$outdir" && pwd -P)
[[ $outdir != "$src_dir" ]] || die "OUTDIR must not be the gateway source directory"

# Render into a staging directory inside OUTDIR, then swap it in, so a running nginx
# never reloads a half-written conf.d and a removed template leaves no stale file.
staging=$(mktemp -d "$outdir/.render.XXXXXX")
trap 'rm -rf -- "$staging"' EXIT

count=0
while IFS= read -r -d '' template; do
    [[ $template != *"$skip_suffix" ]] || continue
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

if [[ $mode == tls ]]; then
    listening="http $GATEWAY_PORT (redirects), https $GATEWAY_TLS_PORT"
else
    listening="http $GATEWAY_PORT"
fi
printf 'render.sh: rendered %d files into %s (%s; auth %s; customers %s)\n' "$count" "$outdir" "$listening" \
    "$(tr -s ' ,\t\n' ' ' <<<"$AUTH_UPSTREAM" | xargs)" "$(tr -s ' ,\t\n' ' ' <<<"$CUSTOMERS_UPSTREAM" | xargs)" >&2
