-- The store creation wizard (issue 5).
--
-- The application role sees only its own organization's stores, so it cannot tell by itself
-- whether a subdomain is free. This narrow function answers that one question for any live
-- store and returns nothing else. (The unique index stores_slug_key still decides races.)

CREATE FUNCTION storefleet_slug_in_use(p_slug text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT EXISTS (SELECT 1 FROM stores s WHERE s.slug = p_slug AND s.status <> 'deleted')
$$;

REVOKE ALL ON FUNCTION storefleet_slug_in_use(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storefleet_slug_in_use(text) TO storefleet_app;
