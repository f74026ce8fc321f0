#!/bin/sh
# PostgreSQL container's first start (compose.yaml mounts this in /docker-entrypoint-initdb.d):
# the schema owner that runs migrations and owns the database, then the application's role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="$GUICHET_DB_OWNER" -v owner_password="$GUICHET_DB_OWNER_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'owner', :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="$GUICHET_DB_OWNER" -v app="$GUICHET_DB_APP" \
    -v app_password="$GUICHET_DB_APP_PASSWORD" -f /guichet/roles.sql
