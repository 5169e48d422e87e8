-- Workers keep each signed-in admin's session and stores (`storefleet_session_stores`, 0005) in a
-- per-process cache, so a dashboard view costs no registry statement while nothing changed. Every
-- change that could end or narrow what a cached session may do notifies `storefleet_sessions`
-- (any worker drops its whole cache; stores' own changes already notify `storefleet_routes`,
-- which drops it too): a session revoked or cut short, a user changed or removed, a membership,
-- its store limits or an organization changed, a store moved to another organization. Keeping a
-- session alive (`last_seen_at`, a later `expires_at`) notifies nobody.

CREATE FUNCTION storefleet_notify_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storefleet_sessions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_notify_delete
    AFTER DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER sessions_notify_update
    AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.csrf_token IS DISTINCT FROM NEW.csrf_token
          OR OLD.second_factor_pending IS DISTINCT FROM NEW.second_factor_pending
          OR NEW.expires_at < OLD.expires_at)
    EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER users_notify_sessions
    AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER memberships_notify_sessions
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER membership_stores_notify_sessions
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON membership_stores
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER organizations_notify_sessions
    AFTER UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
CREATE TRIGGER stores_notify_sessions
    AFTER UPDATE OF org_id OR DELETE OR TRUNCATE ON stores
    FOR EACH STATEMENT EXECUTE FUNCTION storefleet_notify_sessions();
