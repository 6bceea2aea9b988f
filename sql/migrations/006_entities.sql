-- 006: one entity per person, body and place whatever the language (issue 10).
-- * A nationality (NORP) keeps its label but names its country (entities.country_id): the trend tables count
--   "North Korean troops" for North Korea, so the rising and top lists show each country once. The fold itself
--   is in nkru_refresh_daily, redefined by 009 (applied after this one): entity_daily and pair_daily count a
--   nationality's mentions for its country (an article naming both counts once). The links are set from the
--   gazetteer (config/gazetteer/nationalities.yaml) on every extraction run, marking the days they change as dirty.
-- * Analysts' aliases (`nkru alias add "Kim Čong-un" "Kim Jong Un"`) are stored here and used by every later
--   extraction and by `nkru reextract`.
-- * articles.extract_notes: why anything in an article was cut or skipped during extraction.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

ALTER TABLE entities ADD COLUMN country_id integer REFERENCES entities(id) ON DELETE SET NULL;
COMMENT ON COLUMN entities.country_id IS
    'For a nationality (NORP): the country it belongs to; trend tables count its mentions for that country.';

CREATE TABLE analyst_aliases (
    alias_key  text PRIMARY KEY,     -- nkru.aliases.alias_key of the alias
    alias      text NOT NULL,
    name       text NOT NULL,        -- the canonical name it leads to
    label      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE analyst_aliases IS
    'Spellings analysts linked to a canonical name (nkru alias add); used by extraction from the next run on.';

ALTER TABLE articles ADD COLUMN extract_notes text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN articles.extract_notes IS
    'Why anything was cut or skipped when entities were extracted (text too long, name too long, mixed scripts).';
