# Sourced by db-backup.sh and db-restore.sh: `[DATABASE_URL] FILE` into $url and $file, or die.
# The caller defines die() and sets $script (its name, for the usage line).
case $# in
    1) url=${DATABASE_URL:-}; file=$1 ;;
    2) url=$1; file=$2 ;;
    *) die "usage: $script [DATABASE_URL] FILE (or DATABASE_URL in the environment)" ;;
esac
[[ -n $url ]] || die "no DATABASE_URL: give it as the first argument or in the environment"
[[ $url =~ ^postgres(ql)?:// ]] || die "DATABASE_URL must be a postgres:// URL"
