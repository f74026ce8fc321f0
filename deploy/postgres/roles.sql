-- Guichet's two PostgreSQL roles, the grants (README, "Database roles"). Run, connected to
-- Guichet's database, after creating it and before or after `migrate`, by either:
--
-- * the database's owner, once a DBA ran deploy/postgres/roles-admin.sql (which creates the two
--   roles: the owner needs no CREATEROLE, no superuser):
--
--     psql "postgres://guichet_owner:$OWNER_PASSWORD@db-host/guichet" -v ON_ERROR_STOP=1 \
--          -v owner=guichet_owner -v app=guichet_app -f deploy/postgres/roles.sql
--
-- * or a superuser (or a role with CREATEROLE), which runs roles-admin.sql's part first, so
--   that this one command does everything:
--
--     psql "postgres://postgres@db-host/guichet" -v ON_ERROR_STOP=1 \
--          -v owner=guichet_owner -v app=guichet_app -v app_password="$APP_PASSWORD" \
--          -f deploy/postgres/roles.sql
--
-- Running it again is harmless (after a restore, it grants the application role again).
--
-- * :owner owns the schema and every table; `manage.py migrate` runs as it
--   (DATABASE_MIGRATE_URL).
-- * :app is the role the web and worker processes use (DATABASE_URL): SELECT, INSERT, UPDATE,
--   DELETE on the tables, the sequences, nothing else. It owns nothing, so it can neither
--   TRUNCATE, ALTER or DROP a table, nor disable, drop or replace a trigger, which keeps the
--   journals (refusing UPDATE, DELETE and TRUNCATE by trigger) out of its reach.

\set ON_ERROR_STOP 1
-- The roles themselves: created here when this session may create roles, else checked (a DBA
-- created them with roles-admin.sql).
SELECT rolsuper OR rolcreaterole AS guichet_may_create_roles
FROM pg_roles WHERE rolname = current_user \gset
\if :guichet_may_create_roles
\ir roles-admin.sql
\endif
SELECT pg_advisory_lock(hashtext('guichet-roles'));
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
              format('role %s does not exist: a superuser or a role with CREATEROLE (your '
                     'DBA) must run deploy/postgres/roles-admin.sql first (README, "Database '
                     'roles")', role))
FROM unnest(ARRAY[:'owner', :'app']) AS role
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) \gexec
SELECT format('DO $$BEGIN RAISE EXCEPTION %L; END$$',
              format('role %s may do more than the application needs (superuser, CREATEROLE, '
                     'CREATEDB, BYPASSRLS or a member of %s): a DBA must run '
                     'deploy/postgres/roles-admin.sql again', :'app', :'owner'))
FROM pg_roles
WHERE rolname = :'app'
  AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls
       OR (pg_has_role(:'app', :'owner', 'MEMBER') AND :'app' <> :'owner')) \gexec

-- The database and its schema belong to the owner; nobody else may create objects in it.
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner')
FROM pg_namespace
WHERE nspname = 'public'
  AND nspowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner') \gexec
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
