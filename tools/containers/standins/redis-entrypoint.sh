#!/bin/sh
# The official image compiles protected mode off; Debian's build keeps it on, so turn it off here.
set -eu
if [ "${1:-}" = redis-server ]; then
    shift
    set -- redis-server --protected-mode no "$@"
fi
exec "$@"
