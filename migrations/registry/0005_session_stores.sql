-- The store admin's lookup on every request: the live session behind a token hash, its user, and
-- every store that user reaches (the rules of storefleet_member_stores, 0003). In PL/pgSQL so its
-- query is planned once per connection and reused: sent as a plain statement, the join was planned
-- again on every request, and planning cost ten times what running it did.
CREATE FUNCTION storefleet_session_stores(p_token_hash bytea, p_touch_seconds integer)
RETURNS TABLE (id bigint, user_id bigint, csrf_token text, expires_at timestamptz, user_name text,
               email text, is_platform_admin boolean, email_verified boolean, stale boolean,
               org_id bigint, org_name text, role text, store_id bigint, slug text, name text,
               status text, limited boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.id, s.user_id, s.csrf_token, s.expires_at, u.name, u.email, u.is_platform_admin,
           u.email_verified_at IS NOT NULL,
           s.last_seen_at < now() - make_interval(secs => p_touch_seconds),
           a.org_id, a.org_name, a.role, a.store_id, a.slug, a.name, a.status, a.limited
    FROM sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN LATERAL (
        SELECT o.id AS org_id, o.name AS org_name, m.role::text AS role, st.id AS store_id,
               st.slug AS slug, st.name AS name, st.status::text AS status,
               (m.role <> 'owner' AND m.stores_limited) AS limited
        FROM memberships m
        JOIN organizations o ON o.id = m.org_id
        JOIN stores st ON st.org_id = m.org_id AND st.status <> 'deleted'
        WHERE m.user_id = s.user_id
          AND (m.role = 'owner' OR NOT m.stores_limited
               OR EXISTS (SELECT 1 FROM membership_stores x
                          WHERE x.org_id = m.org_id AND x.user_id = m.user_id AND x.store_id = st.id))
    ) a ON true
    WHERE s.token_hash = p_token_hash AND s.expires_at > now() AND NOT s.second_factor_pending
    ORDER BY a.org_name, a.org_id, a.name, a.store_id;
END
$$;

REVOKE ALL ON FUNCTION storefleet_session_stores(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storefleet_session_stores(bytea, integer) TO storefleet_app;
