#!/usr/bin/env bash
# Print the fleet's Secrets for an overlay, with fresh random values, as YAML on stdout.
#
#   k8s/create-secrets.sh dev  | kubectl create -f -
#   AUTH_DATABASE_URL=postgres://... CUSTOMERS_DATABASE_URL=postgres://... \
#       k8s/create-secrets.sh prod | kubectl create -f -
#   kubectl -n NS patch secret auth-signing-keys --type merge \
#       --patch-file <(k8s/create-secrets.sh signing-key-patch)      # rotation: add one new key
#
# `kubectl create`, not `apply`: it refuses to overwrite a Secret that exists, so running this twice
# never replaces a database password that PostgreSQL already uses. Nothing is written to disk but
# temporary files (the key, and each value, kept off kubectl's command line), removed on exit.
# Options: --namespace NS (default fleet-dev / fleet).
#
# Secrets:
#   auth-secrets, customers-secrets   DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL (envFrom in the Deployments)
#   auth-signing-keys                 one RSA key, <UTC creation time>.pem (auth's key directory)
#   redis-auth                        REDISCLI_AUTH: Redis's password (its requirepass; redis-cli reads it)
#   auth-postgres, customers-postgres POSTGRES_PASSWORD (dev only: the in-cluster databases)
set -o errexit -o nounset -o pipefail

die() { printf 'create-secrets.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -o/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

command -v openssl >/dev/null || die "openssl is needed (Debian: apt-get install -y openssl)"
command -v kubectl >/dev/null || die "kubectl is needed (it renders the Secrets offline, --dry-run=client)"

[[ $# -ge 1 ]] || usage
mode=$1; shift
case $mode in
    dev) namespace=fleet-dev ;;
    prod) namespace=fleet ;;
    signing-key-patch) namespace= ;;
    -h | --help) usage ;;
    *) die "unknown mode '$mode' (dev, prod or signing-key-patch)" ;;
esac
while [[ $# -gt 0 ]]; do
    case $1 in
        --namespace) [[ $# -ge 2 ]] || die "--namespace needs a value"; namespace=$2; shift 2 ;;
        *) die "unknown option '$1'" ;;
    esac
done

workdir=$(mktemp -d "$( [[ -d /dev/shm && -w /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}" )/fleet-secrets.XXXXXX")
trap 'rm -rf -- "$workdir"' EXIT
umask 077

random() { openssl rand -hex 32; }

# A new signing key file as auth names them (tokens/keyring.py): <UTC time>.pem, PKCS#8, RSA 2048.
new_signing_key() {
    local name
    name=$(date -u +%Y%m%dT%H%M%SZ).pem
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$workdir/$name" 2>/dev/null
    printf '%s' "$name"
}

secret() {  # NAME ARGS...: one Secret as YAML, followed by a document separator
    kubectl create secret generic "$1" --namespace "$namespace" --dry-run=client -o yaml "${@:2}" \
        | grep -v '^  creationTimestamp: null$'
    printf -- '---\n'
}

in_file() {  # NAME VALUE: VALUE in $workdir/NAME, whose path is printed (a value on kubectl's command
    # line would show in ps and /proc/PID/cmdline; printf is a builtin, so this runs no process)
    printf '%s' "$2" > "$workdir/$1"
    printf '%s' "$workdir/$1"
}

check_url() {  # NAME VALUE
    [[ $2 =~ ^postgres(ql)?://[^[:space:]]+$ ]] || die "$1 must be a postgres:// URL"
}

if [[ $mode == signing-key-patch ]]; then
    name=$(new_signing_key)
    printf '{"data": {"%s": "%s"}}\n' "$name" "$(base64 -w0 "$workdir/$name")"
    printf 'create-secrets.sh: new signing key %s (it starts signing after AUTH_KEY_PUBLISH_DELAY_SECONDS)\n' \
        "$name" >&2
    exit 0
fi

if [[ $mode == dev ]]; then
    # In-cluster databases (components/in-cluster-postgres): the password is set once, by initdb.
    for service in auth customers; do
        password=$(random)
        secret "$service-postgres" --from-file=POSTGRES_PASSWORD="$(in_file "$service-postgres" "$password")"
        declare "${service}_url=postgres://$service:$password@$service-postgres:5432/$service"
    done
else
    : "${AUTH_DATABASE_URL:?set AUTH_DATABASE_URL to auth\'s external database, postgres://auth:...@host:5432/auth}"
    : "${CUSTOMERS_DATABASE_URL:?set CUSTOMERS_DATABASE_URL to customers\' external database}"
    check_url AUTH_DATABASE_URL "$AUTH_DATABASE_URL"
    check_url CUSTOMERS_DATABASE_URL "$CUSTOMERS_DATABASE_URL"
    auth_url=$AUTH_DATABASE_URL
    customers_url=$CUSTOMERS_DATABASE_URL
fi

# The in-cluster Redis (base/redis.yaml): one password, each service in a database of its own.
redis_password=$(random)
secret redis-auth --from-file=REDISCLI_AUTH="$(in_file redis-password "$redis_password")"
auth_redis_url="redis://:$redis_password@redis:6379/0"
customers_redis_url="redis://:$redis_password@redis:6379/1"
for service in auth customers; do
    url_name="${service}_url" redis_url_name="${service}_redis_url"
    secret "$service-secrets" --from-file=DJANGO_SECRET_KEY="$(in_file "$service-secret-key" "$(random)")" \
        --from-file=DATABASE_URL="$(in_file "$service-database-url" "${!url_name}")" \
        --from-file=REDIS_URL="$(in_file "$service-redis-url" "${!redis_url_name}")"
done
key=$(new_signing_key)
secret auth-signing-keys --from-file="$key=$workdir/$key"
printf 'create-secrets.sh: Secrets for namespace %s printed; pipe them to: kubectl create -f -\n' "$namespace" >&2
