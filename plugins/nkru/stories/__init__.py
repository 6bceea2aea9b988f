"""Group articles into stories: one story per event (one happening at one time and place), in any language.

Two signals, one rule, one step per module:

- `copies`: **near-copies**, syndicated copies of one wire report (MinHash over word shingles of title and lede,
  LSH over the window, exact normalised title);
- `reports`: what grouping knows about one article (`Report`): **who** (canonical entities, weighted by label,
  the background names of the beat a fifth), **what** (kinds cued per language, `nkru.events`, and whether the
  headline is a statement) and **when** (publication time, the event date the text gives);
- `names`: which names a headline carries, a statement's speaker, one person under a short and a full name;
- `rule`: **the one-event rule** (announcement, treaty step, event date, reaction/statement vs the happening,
  people, places, kinds, statements by different speakers, then a who/what/when score), documented there and in
  the README;
- `grouping`: `EventMatcher`, which applies the rule to candidate stories (postings per entity and kind, bounded,
  so grouping is linear in the articles of the window), merges stories a report shows to be one event;
- `reasons`: why an article joined its story, or started one (stored in `story_members`, shown by the story page
  and `nkru stories --json`);
- `index`: `StoryIndex`, the same against the database, a batch per transaction (SQL in `nkru.store.stories`);
- `coverage`: the "first reported by …, then … more outlets in … languages" line of a story's alert.
"""
