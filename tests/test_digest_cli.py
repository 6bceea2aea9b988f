"""`nkru digest --preview out.html` and `--send-now`: the digest seen and sent without waiting for 06:00 UTC."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru.edge.cli import main
from tests import workspace_data
from tests.html_refs import external_references, loaded_references

RULE = "daily-brief"
RECIPIENT = "desk@example.org"


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    config = tmp_path / "nkru.yaml"
    config.write_text(
        "alerts:\n"
        "  sender: nkru@example.org\n"
        "  rules:\n"
        f"    - name: {RULE}\n"
        "      mode: digest\n"
        f"      recipients: [{RECIPIENT}]\n"
        "    - name: instant-one\n"
        "      recipients: [other@example.org]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_CONFIG", str(config))

    def invoke(*args: str):
        return CliRunner().invoke(main, ["digest", *args])

    return invoke


def _queue_for_digest(db, story_ids: list[int]) -> None:
    """What the pipeline writes for a digest rule: one pending outbox row per story and recipient."""
    with db, db.cursor() as cur:
        for story_id in story_ids:
            cur.execute(
                """INSERT INTO alert_outbox (rule, story_id, recipient, mode, article_id, message_id, created_at)
                   SELECT %s, %s, %s, 'digest', min(id), %s, now() FROM articles WHERE story_id = %s""",
                (RULE, story_id, RECIPIENT, f"<digest-{story_id}@nkru>", story_id),
            )


def _statuses(db) -> list[str]:
    with db, db.cursor() as cur:
        cur.execute("SELECT status FROM alert_outbox WHERE mode = 'digest' ORDER BY id")
        return [r[0] for r in cur.fetchall()]


def test_preview_writes_the_next_digest_as_a_page_and_sends_nothing(db, cli, tmp_path: Path, smtp_server):
    ws = workspace_data.build(db)
    _queue_for_digest(
        db, [ws.story_ids[workspace_data.VISIT], ws.story_ids["Road bridge over the Tumen ahead of schedule"]]
    )
    out = tmp_path / "out.html"
    result = cli("--preview", str(out))
    assert result.exit_code == 0, result.output
    assert f"digest preview for rule '{RULE}' → {RECIPIENT}: 2 stories, written to {out}" in result.output
    html = out.read_text(encoding="utf-8")
    assert "2 new stories" in html and "Shoigu" in html and "Tumen" in html
    assert "cid:" not in html and any(ref.startswith("data:image/png;base64,") for ref in loaded_references(html))
    assert external_references(html) == []
    assert _statuses(db) == ["pending", "pending"] and smtp_server.messages == []


def test_send_now_sends_todays_digest_once(db, cli, smtp_server, monkeypatch):
    ws = workspace_data.build(db)
    _queue_for_digest(db, [ws.story_ids[workspace_data.VISIT]])
    monkeypatch.setenv("NKRU_SMTP_URL", smtp_server.url)
    result = cli("--send-now")
    assert result.exit_code == 0, result.output
    assert "digests: 1 sent, 0 failed, 0 pending" in result.output
    [message] = smtp_server.to(RECIPIENT)
    assert message["Subject"].startswith(f"[nkru: {RULE}] digest") and "1 new story" in message["Subject"]
    assert _statuses(db) == ["sent"]
    again = cli("--send-now")
    assert again.exit_code == 3 and len(smtp_server.messages) == 1  # nothing waits: nothing sent twice


def test_nothing_waiting_and_bad_arguments_are_said_plainly(db, cli, tmp_path):
    workspace_data.build(db)
    empty = cli("--preview", str(tmp_path / "empty.html"))
    assert empty.exit_code == 3 and "0 stories" in empty.output and (tmp_path / "empty.html").exists()
    assert cli().exit_code == 2
    unknown = cli("--preview", str(tmp_path / "x.html"), "--rule", "nope")
    assert unknown.exit_code == 4 and f"digest rules: {RULE}" in unknown.output
