-- Guichet's two PostgreSQL roles, the privileged part (README, "Database roles"): what needs a
-- superuser or a role with CREATEROLE. A DBA runs it once (and again to change a password);
-- running it again is harmless. Any database of the cluster will do (roles are the cluster's);
-- with -v database=guichet it also creates Guichet's database, owned by :owner, if missing:
--
--   psql "postgres://postgres@db-host/postgres" -v ON_ERROR_STOP=1 \
--        -v owner=guichet_owner -v owner_password="$OWNER_PASSWORD" \
--        -v app=guichet_app -v app_password="$APP_PASSWORD" -v database=guichet \
--        -f deploy/postgres/roles-admin.sql
--
-- Then the owner (no special attribute needed) runs deploy/postgres/roles.sql, connected to
-- Guichet's database, for the grants. A superuser may run roles.sql alone: it runs this part
-- first. owner_password and app_password may be left out (or empty): passwords unchanged.
--
-- * :owner owns the database, the schema and every table; `manage.py migrate` runs as it
--   (DATABASE_MIGRATE_URL). It gets no attribute beyond LOGIN.
-- * :app is the role the web and worker processes use (DATABASE_URL): never a superuser, never
--   allowed to create roles or databases, never a member of :owner.

\set ON_ERROR_STOP 1
\if :{?owner_password}
\else
\set owner_password ''
\endif
\if :{?app_password}
\else
\set app_password ''
\endif
-- Several runs at once (parallel test workers) take turns: CREATE ROLE is not idempotent.
SELECT pg_advisory_lock(hashtext('guichet-roles'));

SELECT format('CREATE ROLE %I LOGIN', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password')
WHERE :'owner_password' <> '' \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', :'app')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
-- The application role is never anything more, even if somebody granted it more earlier. One
-- attribute per statement, and only the attributes that differ: naming SUPERUSER or BYPASSRLS
-- in ALTER ROLE needs a superuser whatever the value, and a DBA with CREATEROLE only (no
-- superuser) must be able to run this, and run it again. (Should the role be a superuser, only
-- a superuser can take that away: the statement then fails and says so.)
SELECT format('ALTER ROLE %I %s', rolname, attribute)
FROM pg_roles,
     LATERAL (VALUES ('NOSUPERUSER', rolsuper), ('NOBYPASSRLS', rolbypassrls),
                     ('NOCREATEROLE', rolcreaterole), ('NOCREATEDB', rolcreatedb),
                     ('NOINHERIT', rolinherit), ('LOGIN', NOT rolcanlogin))
         AS differs (attribute, differs)
WHERE rolname = :'app' AND differs \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password')
WHERE :'app_password' <> '' \gexec
SELECT format('REVOKE %I FROM %I', :'owner', :'app')
WHERE pg_has_role(:'app', :'owner', 'MEMBER') AND :'app' <> :'owner' \gexec

\if :{?database}
-- A database of that name that belongs to someone else is not Guichet's: say so, touch nothing.
SELECT format('DO $$BEGIN RAISE EXCEPTION USING MESSAGE = %L; END$$',
              format('database %s exists and belongs to %s, not to %s: choose another name '
                     '(-v database=) or give it to %s first (ALTER DATABASE %s OWNER TO %s)',
                     datname, pg_get_userbyid(datdba), :'owner', :'owner', datname, :'owner'))
FROM pg_database
WHERE datname = :'database' AND pg_get_userbyid(datdba) <> :'owner' \gexec
-- CREATE DATABASE ... OWNER needs membership in the owner role, which a DBA with CREATEROLE and
-- CREATEDB (not a superuser) lacks on PostgreSQL 15: it takes it for the statement only, and
-- gives it back whether the statement succeeds or fails. CREATE DATABASE cannot run inside a
-- transaction, so psql must not stop at its error: it gives the membership back first, then
-- stops with that error (the script can be run again once the cause is fixed).
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database')
       AND NOT pg_has_role(current_user, :'owner', 'MEMBER') AS guichet_borrow_owner \gset
\if :guichet_borrow_owner
SELECT format('GRANT %I TO CURRENT_USER', :'owner') \gexec
\endif
\set ON_ERROR_STOP 0
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
\set guichet_create_failed :ERROR
\set guichet_create_error :LAST_ERROR_MESSAGE
\set ON_ERROR_STOP 1
\if :guichet_borrow_owner
SELECT format('REVOKE %I FROM CURRENT_USER', :'owner') \gexec
\endif
\if :guichet_create_failed
SELECT format('DO $$BEGIN RAISE EXCEPTION USING MESSAGE = %L; END$$',
              format('CREATE DATABASE %s failed: %s (the membership of %s taken for it was '
                     'given back)', :'database', :'guichet_create_error', :'owner')) \gexec
\endif
\endif

SELECT pg_advisory_unlock(hashtext('guichet-roles'));
