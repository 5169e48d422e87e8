-- The registry: who the merchants are, which stores exist, where each store's database lives,
-- which migrations ran on it, and the platform's job queue and audit log.
--
-- Applied by `storefleet migrate --registry` as storefleet_owner, which owns every table here.
-- The application connects as storefleet_app, which owns nothing: row-level security (forced,
-- so it applies to the owner too) limits it to the organization named by the transaction-local
-- setting `storefleet.org_id`. Platform tools connect as storefleet_owner and see every row.

-- Organizations, people and their roles ----------------------------------------------------

CREATE TABLE organizations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text NOT NULL CHECK (position('@' IN email) > 1),
    name           text NOT NULL DEFAULT '',
    password_hash  text NOT NULL,
    is_platform_admin boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TYPE membership_role AS ENUM ('owner', 'admin', 'staff');

CREATE TABLE memberships (
    org_id      bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        membership_role NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Sessions are looked up by the hash of the cookie token, never by the token itself.
CREATE TABLE sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    bytea NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Database servers and stores --------------------------------------------------------------

CREATE TABLE database_servers (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL UNIQUE,
    -- storefleet_admin's conninfo on this server (database postgres), sealed with the keyring.
    admin_conninfo_sealed  text NOT NULL,
    -- Where the application reaches this server's tenant databases: PgBouncer when it fronts it.
    tenant_host            text NOT NULL,
    tenant_port            integer NOT NULL CHECK (tenant_port BETWEEN 1 AND 65535),
    capacity               integer NOT NULL DEFAULT 1000 CHECK (capacity >= 0),
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draining', 'offline')),
    created_at             timestamptz NOT NULL DEFAULT now()
);

-- The template database each server's tenant databases are cloned from, and the tenant
-- migration it is at. Updated only under the server's template advisory lock.
CREATE TABLE tenant_templates (
    server_id      bigint NOT NULL REFERENCES database_servers (id) ON DELETE CASCADE,
    database_name  text NOT NULL,
    version        text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (server_id, database_name)
);

CREATE TYPE store_status AS ENUM ('provisioning', 'active', 'suspended', 'failed', 'deleted');

CREATE TABLE stores (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            bigint REFERENCES organizations (id) ON DELETE RESTRICT,
    slug              text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status            store_status NOT NULL DEFAULT 'provisioning',
    currency          text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    country           text NOT NULL DEFAULT 'DE' CHECK (country ~ '^[A-Z]{2}$'),
    timezone          text NOT NULL DEFAULT 'UTC',
    locale            text NOT NULL DEFAULT 'en',
    -- The last provisioning step that completed, and the last provisioning error.
    provision_step    text,
    provision_error   text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    activated_at      timestamptz,
    deleted_at        timestamptz
);
-- A deleted store gives its slug back.
CREATE UNIQUE INDEX stores_slug_key ON stores (slug) WHERE status <> 'deleted';
CREATE INDEX stores_org_idx ON stores (org_id);

CREATE TABLE tenant_databases (
    store_id        bigint PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    server_id       bigint NOT NULL REFERENCES database_servers (id),
    database_name   text NOT NULL,
    -- The last tenant migration applied (file name without .sql), NULL before the first.
    schema_version  text,
    status          text NOT NULL DEFAULT 'creating' CHECK (status IN ('creating', 'ready', 'migrating', 'broken', 'dropped')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (server_id, database_name)
);
CREATE INDEX tenant_databases_server_idx ON tenant_databases (server_id);

-- The store role's credentials; the password is sealed with the keyring.
CREATE TABLE tenant_connections (
    store_id         bigint PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    role_name        text NOT NULL,
    password_sealed  text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    rotated_at       timestamptz
);

-- The ledger: which tenant migration ran on which store, when, how long, and how it ended.
CREATE TABLE tenant_migrations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    migration    text NOT NULL,
    checksum     text NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    duration_ms  double precision,
    error        text,
    -- true when the migration arrived with the template the database was created from.
    via_template boolean NOT NULL DEFAULT false
);
CREATE INDEX tenant_migrations_store_idx ON tenant_migrations (store_id, migration);

CREATE TABLE tenant_database_health (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id     bigint NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    checked_at   timestamptz NOT NULL DEFAULT now(),
    reachable    boolean NOT NULL,
    latency_ms   double precision,
    size_bytes   bigint,
    connections  integer,
    error        text
);
CREATE INDEX tenant_database_health_store_idx ON tenant_database_health (store_id, checked_at DESC);

CREATE TABLE domains (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host         text NOT NULL UNIQUE CHECK (host = lower(host) AND host !~ '[/:\s]'),
    store_id     bigint NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    verified     boolean NOT NULL DEFAULT false,
    is_primary   boolean NOT NULL DEFAULT false,
    verification_token text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    verified_at  timestamptz
);
CREATE INDEX domains_store_idx ON domains (store_id);
CREATE UNIQUE INDEX domains_one_primary ON domains (store_id) WHERE is_primary;

-- Jobs ------------------------------------------------------------------------------------

CREATE TYPE job_status AS ENUM ('queued', 'running', 'done', 'dead');

CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}',
    status        job_status NOT NULL DEFAULT 'queued',
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    run_at        timestamptz NOT NULL DEFAULT now(),
    locked_at     timestamptz,
    last_error    text,
    store_id      bigint REFERENCES stores (id) ON DELETE CASCADE,
    -- Set for jobs moved from a store's outbox: the outbox row id, so a move repeated after a
    -- crash enqueues nothing twice.
    outbox_id     bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_store_idx ON jobs (store_id);
CREATE UNIQUE INDEX jobs_outbox_key ON jobs (store_id, outbox_id) WHERE outbox_id IS NOT NULL;

-- Platform audit log: actions on the platform (provisioning, suspensions, key rotation, ...).
-- A store's own actions are audited in the store's database.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    org_id      bigint,
    store_id    bigint,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_store_idx ON audit_log (store_id, at DESC);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at DESC);

-- Row-level security -----------------------------------------------------------------------
-- The application (storefleet_app) sees one organization's rows: the one named by
-- set_config('storefleet.org_id', ..., true) in the current transaction. Unset means none.
-- Platform tools (storefleet_owner) see every row. FORCE makes the owner subject to the
-- policies too, so the owner's access is also a policy someone wrote down.

CREATE FUNCTION storefleet_current_org() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('storefleet.org_id', true), '')::bigint
$$;

CREATE FUNCTION storefleet_current_user() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('storefleet.user_id', true), '')::bigint
$$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_platform ON organizations TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY organizations_app ON organizations TO storefleet_app
    USING (id = storefleet_current_org()
           OR id IN (SELECT m.org_id FROM memberships m WHERE m.user_id = storefleet_current_user()))
    WITH CHECK (id = storefleet_current_org());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_platform ON memberships TO storefleet_owner USING (true) WITH CHECK (true);
-- A signed-in user may list their own memberships (to pick an organization).
CREATE POLICY memberships_app ON memberships TO storefleet_app
    USING (org_id = storefleet_current_org() OR user_id = storefleet_current_user())
    WITH CHECK (org_id = storefleet_current_org());

ALTER TABLE stores ENABLE ROW LEVEL SECURITY;
ALTER TABLE stores FORCE ROW LEVEL SECURITY;
CREATE POLICY stores_platform ON stores TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY stores_app ON stores TO storefleet_app
    USING (org_id = storefleet_current_org())
    WITH CHECK (org_id = storefleet_current_org());

ALTER TABLE domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE domains FORCE ROW LEVEL SECURITY;
CREATE POLICY domains_platform ON domains TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY domains_app ON domains TO storefleet_app
    USING (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()))
    WITH CHECK (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()));

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_platform ON jobs TO storefleet_owner USING (true) WITH CHECK (true);
-- The app may enqueue and read its own org's store jobs (the admin shows dead letters).
CREATE POLICY jobs_app ON jobs TO storefleet_app
    USING (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()))
    WITH CHECK (store_id IS NULL OR store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_platform ON audit_log TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY audit_log_app ON audit_log TO storefleet_app
    USING (org_id = storefleet_current_org())
    WITH CHECK (org_id IS NULL OR org_id = storefleet_current_org());

ALTER TABLE tenant_database_health ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_database_health FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_database_health_platform ON tenant_database_health TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY tenant_database_health_app ON tenant_database_health TO storefleet_app
    USING (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()));

ALTER TABLE tenant_migrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_migrations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_migrations_platform ON tenant_migrations TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY tenant_migrations_app ON tenant_migrations TO storefleet_app
    USING (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()));

-- Narrow functions for the application -----------------------------------------------------
-- They run as the owner (SECURITY DEFINER) and return routing fields only, for stores that are
-- active or suspended: a store being provisioned is never visible.

CREATE FUNCTION storefleet_route_by_slug(p_slug text)
RETURNS TABLE (store_id bigint, slug text, name text, status text, currency text,
               locale text, timezone text, primary_host text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT s.id, s.slug, s.name, s.status::text, s.currency, s.locale, s.timezone,
           (SELECT d.host FROM domains d WHERE d.store_id = s.id AND d.is_primary AND d.verified)
    FROM stores s
    WHERE s.slug = p_slug AND s.status IN ('active', 'suspended')
$$;

CREATE FUNCTION storefleet_route_by_host(p_host text)
RETURNS TABLE (store_id bigint, slug text, name text, status text, currency text,
               locale text, timezone text, primary_host text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT s.id, s.slug, s.name, s.status::text, s.currency, s.locale, s.timezone,
           (SELECT p.host FROM domains p WHERE p.store_id = s.id AND p.is_primary AND p.verified)
    FROM domains d JOIN stores s ON s.id = d.store_id
    WHERE d.host = lower(p_host) AND d.verified AND s.status IN ('active', 'suspended')
$$;

-- Where and as whom to reach a store's database. The password stays sealed.
CREATE FUNCTION storefleet_tenant_connection(p_store_id bigint)
RETURNS TABLE (host text, port integer, database_name text, role_name text, password_sealed text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT ds.tenant_host, ds.tenant_port, td.database_name, tc.role_name, tc.password_sealed
    FROM stores s
    JOIN tenant_databases td ON td.store_id = s.id
    JOIN database_servers ds ON ds.id = td.server_id
    JOIN tenant_connections tc ON tc.store_id = s.id
    WHERE s.id = p_store_id AND s.status IN ('active', 'suspended')
$$;

-- Sign-up: an organization and its first owner, before any org is set in the transaction.
CREATE FUNCTION storefleet_create_organization(p_name text, p_owner_user_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO organizations (name) VALUES (p_name) RETURNING id INTO new_id;
    INSERT INTO memberships (org_id, user_id, role) VALUES (new_id, p_owner_user_id, 'owner');
    RETURN new_id;
END
$$;

REVOKE ALL ON FUNCTION storefleet_route_by_slug(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_route_by_host(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_tenant_connection(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_create_organization(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storefleet_route_by_slug(text) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_route_by_host(text) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_tenant_connection(bigint) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_create_organization(text, bigint) TO storefleet_app;

-- Route invalidation: every worker LISTENs and drops its cached routes -----------------------

CREATE FUNCTION storefleet_notify_store_route() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storefleet_routes', (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
    RETURN NULL;
END
$$;

CREATE FUNCTION storefleet_notify_domain_route() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storefleet_routes', (CASE WHEN TG_OP = 'DELETE' THEN OLD.store_id ELSE NEW.store_id END)::text);
    IF TG_OP = 'UPDATE' AND OLD.store_id <> NEW.store_id THEN
        PERFORM pg_notify('storefleet_routes', OLD.store_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stores_notify_routes
    AFTER INSERT OR UPDATE OF slug, name, status, currency, locale, timezone OR DELETE ON stores
    FOR EACH ROW EXECUTE FUNCTION storefleet_notify_store_route();
CREATE TRIGGER domains_notify_routes
    AFTER INSERT OR UPDATE OR DELETE ON domains
    FOR EACH ROW EXECUTE FUNCTION storefleet_notify_domain_route();

-- The job runner LISTENs here instead of polling in a loop.
CREATE FUNCTION storefleet_notify_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storefleet_jobs', NEW.kind);
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify
    AFTER INSERT ON jobs
    FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION storefleet_notify_jobs();

-- Grants to the application role -----------------------------------------------------------
-- No grant at all on database_servers, tenant_databases or tenant_connections: the app reaches
-- them only through storefleet_tenant_connection().

DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO storefleet_app', current_schema());
END $$;
GRANT SELECT, INSERT, UPDATE ON organizations, memberships, stores, domains TO storefleet_app;
GRANT DELETE ON memberships, domains TO storefleet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions TO storefleet_app;
GRANT SELECT, INSERT ON jobs, audit_log TO storefleet_app;
GRANT UPDATE (status, run_at, attempts) ON jobs TO storefleet_app;
GRANT SELECT ON tenant_database_health, tenant_migrations TO storefleet_app;
