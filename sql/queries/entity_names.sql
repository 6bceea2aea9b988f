-- entity_names: every spelling and canonical name, to suggest the closest ones for a name nkru does not know.
-- Parameters: none
-- Columns: name (an alias or a canonical name), entity_id, entity (canonical name), label
SELECT a.alias AS name, e.id AS entity_id, e.name AS entity, e.label
FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
UNION
SELECT e.name, e.id, e.name, e.label FROM entities e;
