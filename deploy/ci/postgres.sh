#!/usr/bin/env bash
# Install and start a local PostgreSQL for the tests (CI and developer machines).
# Exports nothing: tests find it through SOCIALPOLICY_TEST_DATABASE_URL or the
# default below.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "postgres.sh: cannot install PostgreSQL here" >&2
    exit 1
  fi
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_lsclusters -h | grep -q . || pg_createcluster "$version" main >/dev/null
  pg_ctlcluster "$version" main start
fi
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='socialpolicy'\"" | grep -q 1 || \
  su postgres -c "psql -qc \"CREATE ROLE socialpolicy LOGIN PASSWORD 'socialpolicy'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='socialpolicy_test'\"" | grep -q 1 || \
  su postgres -c "createdb -O socialpolicy socialpolicy_test"
echo "postgres.sh: PostgreSQL $version is up (socialpolicy_test)"
