#!/usr/bin/env bash
# Back up one service's PostgreSQL database into FILE (pg_dump's custom format: compressed, and
# restorable table by table with pg_restore).
#
#   DATABASE_URL=postgres://auth:...@host:5432/auth tools/db-backup.sh auth.dump
#   tools/db-backup.sh postgres://auth:...@host:5432/auth auth.dump
#
# Prefer DATABASE_URL in the environment: an argument shows in the process list. Roles and grants are
# left out (--no-owner --no-acl): they belong to whoever provisions the database. Writes FILE.partial
# and renames it when the dump is complete, so FILE is never a half-written dump.
# PG_BIN: the folder of pg_dump (default: PATH); it must be at least the server's major version.
set -o errexit -o nounset -o pipefail

die() { printf 'db-backup.sh: %s\n' "$*" >&2; exit 1; }

script=db-backup.sh
# shellcheck source=lib/db-args.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/db-args.sh"
[[ -n $file ]] || die "FILE must not be empty"
pg_dump=${PG_BIN:+$PG_BIN/}pg_dump
command -v "$pg_dump" >/dev/null || die "$pg_dump not found (Debian: apt-get install -y postgresql-client)"

# libpq's own scheme is postgresql:// or postgres://; both work as --dbname.
partial=$file.partial
trap 'rm -f -- "$partial"' EXIT
"$pg_dump" --format=custom --no-owner --no-acl --dbname="$url" --file="$partial"
mv -f -- "$partial" "$file"
trap - EXIT
printf 'db-backup.sh: wrote %s (%s bytes)\n' "$file" "$(stat -c %s -- "$file")" >&2
