#!/usr/bin/env bash
# Container entrypoint of the gateway image: render the configuration with render.sh (GATEWAY_PORT,
# AUTH_UPSTREAM, CUSTOMERS_UPSTREAM from the environment), check it, then exec nginx in the
# foreground so it is PID 1 and receives the stop signal (SIGQUIT: graceful) itself.
# Everything it writes lives under GATEWAY_RUN_DIR (default /tmp/gateway), so the image runs as
# non-root with a read-only root filesystem and a tmpfs on /tmp.
set -o errexit -o nounset -o pipefail

run_dir=${GATEWAY_RUN_DIR:-/tmp/gateway}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

"$here/render.sh" "$run_dir/conf"
mkdir -p -- "$run_dir/prefix/tmp"
nginx -t -q -e stderr -p "$run_dir/prefix" -c "$run_dir/conf/nginx.conf"
exec nginx -e stderr -p "$run_dir/prefix" -c "$run_dir/conf/nginx.conf" -g 'daemon off;' "$@"
