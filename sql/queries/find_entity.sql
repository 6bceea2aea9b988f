-- find_entity: the canonical entities a spelling leads to, most-covered first.
-- Parameters:
--   %(keys)s  text[]     alias keys (nkru.entities.alias_key of what the user typed: case, accents, hyphens,
--                        apostrophes and dots folded), e.g. ARRAY['ким чен ын']
--   %(ids)s   integer[]  entity ids to include as well (may be empty)
-- Columns: entity_id, entity (canonical name), label, articles (relevant articles ever)
WITH matched AS (
    SELECT entity_id FROM entity_aliases WHERE alias_key = ANY (%(keys)s::text[])
    UNION
    SELECT unnest(%(ids)s::integer[])
)
SELECT e.id AS entity_id, e.name AS entity, e.label,
       coalesce((SELECT sum(d.articles) FROM entity_daily d WHERE d.entity_id = e.id), 0)::integer AS articles
FROM matched m JOIN entities e ON e.id = m.entity_id
ORDER BY articles DESC, e.name, e.label;
