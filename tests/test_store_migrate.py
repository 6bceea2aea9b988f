"""`nkru migrate`'s engine: applies every migration once, records it, and is safe to run again."""

from nkru import store


def test_migrate_applies_all_then_nothing(empty_db_url):
    with store.connection(empty_db_url) as conn:
        first = store.migrate(conn)
        second = store.migrate(conn)
        recorded = store.applied_migrations(conn)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'articles'")
            assert cur.fetchone()[0] == 1
    assert first and first[0].startswith("001_")
    assert second == []
    assert recorded == first
