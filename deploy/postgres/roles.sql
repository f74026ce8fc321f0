-- Guichet's two PostgreSQL roles (README, "Database roles"). Run as a superuser (or the owner
-- with CREATEROLE), connected to Guichet's database, after creating the database and before or
-- after `migrate`; running it again is harmless:
--
--   psql "postgres://postgres@db-host/guichet" -v ON_ERROR_STOP=1 \
--        -v owner=guichet_owner -v app=guichet_app -v app_password="$APP_PASSWORD" \
--        -f deploy/postgres/roles.sql
--
-- * :owner owns the schema and every table; `manage.py migrate` runs as it
--   (DATABASE_MIGRATE_URL). It must already exist (it creates the database) or is created here
--   without a password (set one with ALTER ROLE ... PASSWORD).
-- * :app is the role the web and worker processes use (DATABASE_URL): SELECT, INSERT, UPDATE,
--   DELETE on the tables, the sequences, nothing else. It owns nothing, so it can neither
--   TRUNCATE, ALTER or DROP a table, nor disable, drop or replace a trigger, which keeps the
--   journals (refusing UPDATE, DELETE and TRUNCATE by trigger) out of its reach.

\set ON_ERROR_STOP 1
-- Several runs at once (parallel test workers) take turns: CREATE ROLE is not idempotent.
SELECT pg_advisory_lock(hashtext('guichet-roles'));

SELECT format('CREATE ROLE %I LOGIN', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', :'app')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
-- The application role is never anything more, even if somebody granted it more earlier.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS',
              :'app') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password')
WHERE :'app_password' <> '' \gexec
SELECT format('REVOKE %I FROM %I', :'owner', :'app')
WHERE pg_has_role(:'app', :'owner', 'MEMBER') AND :'app' <> :'owner' \gexec

-- The database and its schema belong to the owner; nobody else may create objects in it.
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec

-- Tables and sequences that exist now...
SELECT format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', :'app') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I',
              :'app') \gexec
SELECT format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', :'app') \gexec
-- ... and those the owner's future migrations create.
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
              'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
              'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', :'owner', :'app') \gexec

SELECT pg_advisory_unlock(hashtext('guichet-roles'));
