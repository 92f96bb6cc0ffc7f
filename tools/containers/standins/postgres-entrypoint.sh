#!/usr/bin/env bash
# First start: initdb into PGDATA with POSTGRES_USER as superuser (password from POSTGRES_PASSWORD,
# scram-sha-256 over TCP, trust on the local socket as in the official image) and create
# POSTGRES_DB. Every start: exec the server, listening on all interfaces of the container.
set -o errexit -o nounset -o pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [[ ${1:-} == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    if [[ -z ${POSTGRES_PASSWORD:-} ]]; then
        echo "postgres: POSTGRES_PASSWORD must be set to initialise $PGDATA" >&2
        exit 1
    fi
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    pwfile=$(mktemp)
    printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [[ $POSTGRES_DB != postgres ]]; then
        printf 'CREATE DATABASE "%s";\n' "${POSTGRES_DB//\"/\"\"}" | postgres --single -j -D "$PGDATA" postgres >/dev/null
    fi
    echo "postgres: initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

if [[ ${1:-} == postgres ]]; then
    shift
    set -- postgres -c listen_addresses='*' "$@"
fi
exec "$@"
