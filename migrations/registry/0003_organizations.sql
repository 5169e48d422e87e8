-- Organizations: invitations, store limits per membership and per organization, and where an
-- audited action came from.
--
-- A membership reaches every store of its organization unless `stores_limited` is set; then only
-- the stores listed in membership_stores (none, if every one of them was removed: a limit never
-- widens by itself). Owners always reach every store.

-- How many live stores an organization may have (the wizard checks it; a trigger enforces it).
ALTER TABLE organizations ADD COLUMN store_limit integer NOT NULL DEFAULT 10 CHECK (store_limit >= 0);

-- (id, org_id) is unique because id is; the pair lets the tables below insist that a limited
-- store belongs to the membership's or invitation's own organization.
ALTER TABLE stores ADD CONSTRAINT stores_id_org_key UNIQUE (id, org_id);

ALTER TABLE memberships ADD COLUMN stores_limited boolean NOT NULL DEFAULT false;

CREATE TABLE membership_stores (
    org_id    bigint NOT NULL,
    user_id   bigint NOT NULL,
    store_id  bigint NOT NULL,
    PRIMARY KEY (org_id, user_id, store_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (store_id, org_id) REFERENCES stores (id, org_id) ON DELETE CASCADE
);
CREATE INDEX membership_stores_store_idx ON membership_stores (store_id);

-- An invitation is found by the hash of the token mailed to the invitee, never by the token.
CREATE TABLE invitations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email        text NOT NULL CHECK (position('@' IN email) > 1 AND length(email) <= 254),
    role         membership_role NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    invited_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   timestamptz,
    -- As memberships.stores_limited: the invitee will reach only the invitation_stores.
    stores_limited boolean NOT NULL DEFAULT false,
    UNIQUE (id, org_id)
);
-- One open invitation per address and organization: inviting again replaces the old one.
CREATE UNIQUE INDEX invitations_open_key ON invitations (org_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE invitation_stores (
    invitation_id  bigint NOT NULL,
    org_id         bigint NOT NULL,
    store_id       bigint NOT NULL,
    PRIMARY KEY (invitation_id, store_id),
    FOREIGN KEY (invitation_id, org_id) REFERENCES invitations (id, org_id) ON DELETE CASCADE,
    FOREIGN KEY (store_id, org_id) REFERENCES stores (id, org_id) ON DELETE CASCADE
);
CREATE INDEX invitation_stores_store_idx ON invitation_stores (store_id);

-- Who did it and with what (0002 added `address`, where from).
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS user_id bigint;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS user_agent text CHECK (user_agent IS NULL OR length(user_agent) <= 512);

-- The organization's store limit, counted under a lock on the organization so that two stores
-- created at once cannot both take the last place. Stores of no organization (platform tools)
-- and deleted stores do not count.
CREATE FUNCTION storefleet_check_store_limit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    allowed integer;
    live    integer;
BEGIN
    IF NEW.org_id IS NULL OR NEW.status = 'deleted' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.org_id IS NOT DISTINCT FROM NEW.org_id AND OLD.status <> 'deleted' THEN
        RETURN NEW;
    END IF;
    SELECT o.store_limit INTO allowed FROM organizations o WHERE o.id = NEW.org_id FOR UPDATE;
    SELECT count(*) INTO live FROM stores s
    WHERE s.org_id = NEW.org_id AND s.status <> 'deleted' AND s.id <> NEW.id;
    IF live >= allowed THEN
        RAISE EXCEPTION 'organization % has reached its limit of % stores', NEW.org_id, allowed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'organization_store_limit';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER stores_store_limit
    BEFORE INSERT OR UPDATE OF org_id, status ON stores
    FOR EACH ROW EXECUTE FUNCTION storefleet_check_store_limit();

-- Row-level security, as in 0001: the app sees one organization's rows; a signed-in user also
-- sees the store limits of their own memberships.
ALTER TABLE membership_stores ENABLE ROW LEVEL SECURITY;
ALTER TABLE membership_stores FORCE ROW LEVEL SECURITY;
CREATE POLICY membership_stores_platform ON membership_stores TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY membership_stores_app ON membership_stores TO storefleet_app
    USING (org_id = storefleet_current_org() OR user_id = storefleet_current_user())
    WITH CHECK (org_id = storefleet_current_org());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_platform ON invitations TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY invitations_app ON invitations TO storefleet_app
    USING (org_id = storefleet_current_org())
    WITH CHECK (org_id = storefleet_current_org());

ALTER TABLE invitation_stores ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitation_stores FORCE ROW LEVEL SECURITY;
CREATE POLICY invitation_stores_platform ON invitation_stores TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY invitation_stores_app ON invitation_stores TO storefleet_app
    USING (org_id = storefleet_current_org())
    WITH CHECK (org_id = storefleet_current_org());

-- Narrow functions for the application ------------------------------------------------------

-- The stores a user reaches, with their role: every live store of each organization they belong
-- to, less the stores their membership is not limited to. Admin pages call it (with a slug) on
-- every request, before they know the organization, so it is one query that needs no org set.
CREATE FUNCTION storefleet_member_stores(p_user_id bigint, p_slug text DEFAULT NULL)
RETURNS TABLE (org_id bigint, org_name text, role text, store_id bigint, slug text, name text,
               status text, limited boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT o.id, o.name, m.role::text, s.id, s.slug, s.name, s.status::text,
           m.role <> 'owner' AND m.stores_limited
    FROM memberships m
    JOIN organizations o ON o.id = m.org_id
    JOIN stores s ON s.org_id = m.org_id AND s.status <> 'deleted'
    WHERE m.user_id = p_user_id
      AND (p_slug IS NULL OR s.slug = p_slug)
      AND (m.role = 'owner' OR NOT m.stores_limited
           OR EXISTS (SELECT 1 FROM membership_stores x
                      WHERE x.org_id = m.org_id AND x.user_id = m.user_id AND x.store_id = s.id))
    ORDER BY o.name, o.id, s.name, s.id
$$;

-- What an invitation link shows before anyone is a member: the invitation and its
-- organization's name, found by the token's hash.
CREATE FUNCTION storefleet_invitation_by_token(p_token_hash bytea)
RETURNS TABLE (id bigint, org_id bigint, org_name text, email text, role text, inviter_name text,
               expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT i.id, i.org_id, o.name, i.email, i.role::text, u.name, i.expires_at, i.accepted_at, i.revoked_at
    FROM invitations i
    JOIN organizations o ON o.id = i.org_id
    LEFT JOIN users u ON u.id = i.invited_by
    WHERE i.token_hash = p_token_hash
$$;

REVOKE ALL ON FUNCTION storefleet_member_stores(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_invitation_by_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storefleet_member_stores(bigint, text) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_invitation_by_token(bytea) TO storefleet_app;

-- Grants to the application role ------------------------------------------------------------
GRANT SELECT, INSERT, DELETE ON membership_stores, invitation_stores TO storefleet_app;
GRANT SELECT, INSERT ON invitations TO storefleet_app;
GRANT UPDATE (accepted_at, accepted_by, revoked_at) ON invitations TO storefleet_app;

