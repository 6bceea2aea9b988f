"""The digest's trend section: charts as inline PNG parts referenced by cid:, top pairs, names escaped;
delivered through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, time

from nkru.mail import render_digest
from nkru.store.outbox import DigestExtras
from nkru.trends import digest_extras
from nkru.trends.digest import RISING_CID, VOLUME_CID
from tests import history


def _now(hist) -> datetime:
    return datetime.combine(hist.today, time(18), UTC)


def test_extras_hold_the_weeks_charts_and_pairs(db):
    hist = history.build(db)
    extras = digest_extras(db, _now(hist))
    assert isinstance(extras, DigestExtras)
    assert set(extras.images) == {VOLUME_CID, RISING_CID}
    assert all(png.startswith(b"\x89PNG") and len(png) > 5000 for png in extras.images.values())
    assert f'src="cid:{VOLUME_CID}"' in extras.html and f'src="cid:{RISING_CID}"' in extras.html
    assert "North Korea + Russia: 13 articles" in extras.text  # 7 staple days + 6 visit articles
    assert "Sergei Naryshkin (PERSON): 6 articles, usually 0" in extras.text
    # relevant articles in the 7 days: 7 staple, 6 visit, 2 Choe Son Hui, 1 with the hostile name
    assert "16 relevant articles" in extras.text


def test_entity_names_are_escaped_in_the_html(db):
    hist = history.build(db)
    with db, db.cursor() as cur:  # make the hostile name part of the week's top pairs
        cur.execute("UPDATE entities SET name = %s WHERE name = 'Russia'", ("<script>alert(1)</script> & Russia",))
    extras = digest_extras(db, _now(hist))
    assert "<script>" not in extras.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Russia" in extras.html


def test_empty_database_gives_an_empty_section(db):
    extras = digest_extras(db, datetime.now(UTC))
    assert (extras.text, extras.html, extras.images) == ("", "", {})


def test_digest_arrives_with_its_images(db, smtp_server):
    hist = history.build(db)
    now = _now(hist)
    message = render_digest(
        [],
        rule="all stories",
        terms=[],
        sender="nkru@example.org",
        recipient="analyst@example.org",
        message_id="<digest-test@nkru>",
        day=hist.today,
        now=now,
        extras=digest_extras(db, now),
    )
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(message)
    received = smtp_server.wait_for(1)[0]
    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in received.walk()
        if part.get_content_type() == "image/png"
    }
    assert set(images) == {VOLUME_CID, RISING_CID}
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    html = received.get_body(("html",)).get_content()
    assert f"cid:{VOLUME_CID}" in html and f"cid:{RISING_CID}" in html
    text = received.get_body(("plain",)).get_content()
    assert "Named together most this week" in text
