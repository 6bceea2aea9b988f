"""Story grouping: syndicated copies and edited headlines join one story; different reports stay apart."""

from __future__ import annotations

from datetime import timedelta

from nkru.stories.copies import lede_words, title_key
from nkru.stories.index import StoryIndex
from tests.alert_data import (
    LAVROV_SUMMARY,
    LAVROV_TITLE,
    NARYSHKIN_SUMMARY,
    NARYSHKIN_TITLE,
    NOW,
    NewsDB,
    settings,
)

# The same Yonhap report as relayed by another outlet: own dateline, a word changed, the last clause cut.
NARYSHKIN_COPY_TITLE = "(LEAD) Russian spy chief Naryshkin holds talks in Pyongyang on countering espionage"
NARYSHKIN_COPY_SUMMARY = (
    "PYONGYANG (Korea Herald) - Sergei Naryshkin, director of Russia's Foreign Intelligence Service, held talks "
    "in Pyongyang with North Korea's Minister of State Security Ri Chang Dae on cooperation against espionage, "
    "the Korean Central News Agency reported Thursday."
)
# Another Lavrov statement the same week: same people, same places, a different report.
LAVROV_OTHER_TITLE = "Lavrov thanks North Korea for backing Russia's position at the United Nations"
LAVROV_OTHER_SUMMARY = (
    "MOSCOW, March 26 (AFP) - Russian Foreign Minister Sergei Lavrov on Thursday thanked North Korea for "
    "supporting Moscow's position in votes at the United Nations General Assembly, and said the two "
    "countries would coordinate closely on the Korean peninsula."
)


def _story(news: NewsDB, article_id: int) -> int | None:
    return news.scalar("SELECT story_id FROM articles WHERE id = %s", (article_id,))


def test_syndicated_copy_in_another_feed_joins_the_story(db):
    news = NewsDB(db)
    original = news.article("Yonhap")
    copy = news.article("Korea Herald", NARYSHKIN_COPY_TITLE, NARYSHKIN_COPY_SUMMARY)
    first = news.process(settings(), original)
    second = news.process(settings(), copy, now=NOW + timedelta(minutes=15))
    assert first == second
    assert _story(news, original.id) == _story(news, copy.id) == first
    assert news.scalar("SELECT count(*) FROM stories") == 1


def test_headline_edited_after_publication_joins_the_story(db):
    news = NewsDB(db)
    first = news.process(settings(), news.article("Yonhap"))
    edited = news.article(
        "Yonhap",
        "N. Korea, Russia spy agencies agree to cooperate against espionage during Naryshkin visit",
        NARYSHKIN_SUMMARY,
    )
    assert news.process(settings(), edited) == first


def test_two_lavrov_statements_are_two_stories(db):
    news = NewsDB(db)
    one = news.process(settings(), news.article("AFP", LAVROV_TITLE, LAVROV_SUMMARY))
    two = news.process(settings(), news.article("AFP", LAVROV_OTHER_TITLE, LAVROV_OTHER_SUMMARY))
    other = news.process(settings(), news.article("Yonhap"))
    assert len({one, two, other}) == 3


def test_same_title_without_a_lede_joins_by_exact_title(db):
    news = NewsDB(db)
    first = news.process(settings(), news.article("Yonhap"))
    bare = news.article("Aggregator", "UPDATE 1-" + NARYSHKIN_TITLE.upper(), "")
    assert news.process(settings(), bare) == first


def test_a_copy_outside_the_window_is_a_new_story(db):
    news = NewsDB(db)
    first = news.process(
        settings(), news.article("Yonhap", published_at=NOW - timedelta(days=9)), now=NOW - timedelta(days=9)
    )
    later = news.article("Korea Herald", NARYSHKIN_COPY_TITLE, NARYSHKIN_COPY_SUMMARY, published_at=NOW)
    assert news.process(settings(), later) != first


def test_assign_is_idempotent_and_signatures_survive_a_reload(db):
    news = NewsDB(db)
    original = news.article("Yonhap")
    story = news.process(settings(), original)
    assert news.process(settings(), original) == story  # a re-run changes nothing
    assert news.scalar("SELECT count(*) FROM story_signatures") == 1
    # A later run loads the stored signature from the database and still finds the story.
    copy = news.article("Korea Herald", NARYSHKIN_COPY_TITLE, NARYSHKIN_COPY_SUMMARY)
    assert news.process(settings(), copy, now=NOW + timedelta(hours=30)) == story
    assert news.scalar("SELECT count(*) FROM story_signatures WHERE story_id = %s", (story,)) == 2


def test_story_published_time_is_its_earliest_article(db):
    news = NewsDB(db)
    story = news.process(settings(), news.article("Korea Herald", published_at=NOW - timedelta(hours=1)))
    news.process(settings(), news.article("Yonhap", published_at=NOW - timedelta(hours=3)))
    assert news.scalar("SELECT published_at FROM stories WHERE id = %s", (story,)) == NOW - timedelta(hours=3)


def test_a_story_from_a_rolled_back_article_is_not_reused(db):
    """One index serves a chunk of articles; an article whose transaction failed must not leave a phantom story."""
    news = NewsDB(db)
    first, copy = news.article("Yonhap"), news.article("Korea Herald", NARYSHKIN_COPY_TITLE, NARYSHKIN_COPY_SUMMARY)
    with db, db.cursor() as cur:
        index = StoryIndex.load(cur, now=NOW)
    with db.cursor() as cur:
        index.assign(cur, first)
    db.rollback()
    with db, db.cursor() as cur:
        story = index.assign(cur, copy).story_id
    assert _story(news, copy.id) == story
    assert _story(news, first.id) is None


def test_a_batch_is_grouped_as_one_article_at_a_time(db):
    """`assign_many` writes a batch's rows together: a copy later in the batch joins the story its original opened
    earlier in it, a different report opens its own, the story's time is its earliest article's, and an article
    listed twice keeps the story it got the first time."""
    news = NewsDB(db)
    first = news.article("Yonhap", published_at=NOW - timedelta(hours=1))
    other = news.article("TASS", LAVROV_OTHER_TITLE, LAVROV_OTHER_SUMMARY)
    copy = news.article(
        "Korea Herald", NARYSHKIN_COPY_TITLE, NARYSHKIN_COPY_SUMMARY, published_at=NOW - timedelta(hours=2)
    )
    with db, db.cursor() as cur:
        index = StoryIndex.load(cur, now=NOW)
        assigned = index.assign_many(cur, [(first, []), (other, []), (copy, []), (first, [])])
    assert [a.rule for a in assigned] == ["new", "new", "near-copy", "kept"]
    story = assigned[0].story_id
    assert assigned[2].story_id == assigned[3].story_id == story != assigned[1].story_id
    assert (_story(news, first.id), _story(news, copy.id)) == (story, story)
    assert news.scalar("SELECT count(*) FROM story_members WHERE story_id = %s", (story,)) == 2
    assert news.scalar("SELECT published_at FROM stories WHERE id = %s", (story,)) == NOW - timedelta(hours=2)


def test_normalisation_ignores_wire_decorations_and_apostrophes():
    assert title_key("(LEAD) North Korea’s envoy meets Lavrov") == title_key("North Korea's envoy meets LAVROV")
    assert lede_words("SEOUL, March 25 (Yonhap) -- North Korea fired") == ["north", "korea", "fired"]
    assert lede_words("MOSCOW (AFP) - North Korea fired") == ["north", "korea", "fired"]
