#!/usr/bin/env bash
# Restore FILE (made by tools/db-backup.sh) into one service's PostgreSQL database, replacing what
# the dump contains: its tables are dropped and recreated, in one transaction, so a failed restore
# leaves the database as it was.
#
#   DATABASE_URL=postgres://auth:...@host:5432/auth tools/db-restore.sh auth.dump
#   tools/db-restore.sh postgres://auth:...@host:5432/auth auth.dump
#
# Stop the service's writers first (kubectl scale deployment/auth --replicas=0), or rows written
# during the restore are lost. Prefer DATABASE_URL in the environment (an argument shows in the
# process list). PG_BIN: the folder of pg_restore (default: PATH).
set -o errexit -o nounset -o pipefail

die() { printf 'db-restore.sh: %s\n' "$*" >&2; exit 1; }

script=db-restore.sh
# shellcheck source=lib/db-args.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/db-args.sh"
[[ -f $file && -r $file ]] || die "no readable dump at '$file'"
pg_restore=${PG_BIN:+$PG_BIN/}pg_restore
command -v "$pg_restore" >/dev/null || die "$pg_restore not found (Debian: apt-get install -y postgresql-client)"

"$pg_restore" --list -- "$file" >/dev/null || die "'$file' is not a pg_dump custom-format archive"
"$pg_restore" --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
    --dbname="$url" -- "$file"
printf 'db-restore.sh: restored %s\n' "$file" >&2
