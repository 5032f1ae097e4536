#!/usr/bin/env bash
# Install and start a local PostgreSQL for the tests (CI and developer machines).
# Idempotent. Exports nothing: tests find it through SOCIALPOLICY_TEST_DATABASE_URL
# or the default below, and skip (saying why) where it cannot be reached.
#   default: postgresql://socialpolicy:socialpolicy@127.0.0.1:5432/socialpolicy_test
set -euo pipefail

if [ -n "${SOCIALPOLICY_TEST_DATABASE_URL:-}" ]; then
  echo "postgres.sh: SOCIALPOLICY_TEST_DATABASE_URL is set; using that database"
  exit 0
fi

# Run a command as the postgres user: su as root, else passwordless sudo.
as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/sh -c "$1"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n -u postgres sh -c "$1"
  else
    echo "postgres.sh: need root or passwordless sudo to set up PostgreSQL" >&2
    return 1
  fi
}

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  else
    echo "postgres.sh: PostgreSQL is not installed and cannot be installed here (needs root and apt-get)" >&2
    exit 1
  fi
fi

version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_lsclusters -h 2>/dev/null | grep -q . || pg_createcluster "$version" main >/dev/null
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  # shellcheck disable=SC2086  # "VERSION NAME"
  pg_ctlcluster $cluster start
fi

port=$(pg_lsclusters -h | awk '$4 == "online" {print $3; exit}')
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "${port:-5432}" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "${port:-5432}" >/dev/null || { echo "postgres.sh: PostgreSQL did not come up" >&2; exit 1; }
if [ "${port:-5432}" != "5432" ]; then
  echo "postgres.sh: warning: the cluster listens on port $port; set SOCIALPOLICY_TEST_DATABASE_URL" >&2
fi

# The role (its password reset every time, so an old role still works) and the database.
as_postgres "psql -p ${port:-5432} -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='socialpolicy'\"" | grep -q 1 || \
  as_postgres "psql -p ${port:-5432} -qc \"CREATE ROLE socialpolicy LOGIN\""
as_postgres "psql -p ${port:-5432} -qc \"ALTER ROLE socialpolicy LOGIN PASSWORD 'socialpolicy'\""
as_postgres "psql -p ${port:-5432} -qtAc \"SELECT 1 FROM pg_database WHERE datname='socialpolicy_test'\"" | grep -q 1 || \
  as_postgres "createdb -p ${port:-5432} -O socialpolicy socialpolicy_test"
echo "postgres.sh: PostgreSQL $version is up (socialpolicy_test on port ${port:-5432})"
