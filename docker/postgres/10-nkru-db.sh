#!/usr/bin/env bash
# The news database and its role, beside Airflow's metadata database, in the stack's PostgreSQL.
#
# The postgres image runs this once, when its data volume is first initialised (/docker-entrypoint-initdb.d).
# It is safe to run again, e.g. on a volume created before nkru was added, or to apply a new NKRU_DB_PASSWORD:
#     docker compose exec postgres bash /docker-entrypoint-initdb.d/10-nkru-db.sh
set -euo pipefail

: "${NKRU_DB_PASSWORD:?NKRU_DB_PASSWORD is not set: set it in .env (copy .env.example to .env)}"
NKRU_DB_NAME="${NKRU_DB_NAME:-nkru}"
NKRU_DB_USER="${NKRU_DB_USER:-nkru}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set=role="$NKRU_DB_USER" --set=password="$NKRU_DB_PASSWORD" --set=db="$NKRU_DB_NAME" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
echo "nkru: news database \"$NKRU_DB_NAME\" owned by \"$NKRU_DB_USER\" is ready"
