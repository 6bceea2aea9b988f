"""What the workspace's pages share: the Jinja environment, links between pages, times, lags and charts.

Everything a page shows from a feed (headlines, summaries, names, errors) goes through Jinja's autoescape; a
link to an outlet is made only from an http(s) URL (`outlet_link`), anything else is shown as text.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nkru.mail.message import safe_url
from nkru.trends.tables import when
from nkru.untrusted import strip_controls

TEMPLATES = Path(__file__).parent / "templates"
# Where the plugin mounts the app; a page rendered outside a request (tests, previews) links under it.
DEFAULT_BASE = "/nkru"


def _no_controls(value: Any) -> Any:
    """Every `{{ value }}` on a page: strings from the database lose their control characters."""
    if isinstance(value, Markup):
        return Markup(strip_controls(value))
    return strip_controls(value) if isinstance(value, str) else value


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), finalize=_no_controls)
    env.globals.update(when=when, outlet_link=outlet_link, lag=lag, language_name=language_name, plural=plural)
    return env


def render(template: str, *, base: str = DEFAULT_BASE, **context: Any) -> str:
    """A page's HTML; `base` is the path the app is mounted under, for links between pages."""
    return environment().get_template(template).render(base=base.rstrip("/"), **context)


def outlet_link(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link; None (shown as text, never as a link) otherwise."""
    return safe_url(url) if url else None


def query_string(params: dict[str, Any]) -> str:
    """`?a=1&b=x` from the non-empty values (for paging links that keep the filters)."""
    kept = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    return "?" + urlencode(kept, doseq=True) if kept else ""


def lag(delta: timedelta | None) -> str:
    """How long after the first report: 'first', '+40 min', '+3 h 05 min', '+2 d 4 h'."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0:
        return "first"
    if minutes < 60:
        return f"+{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"+{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"+{days} d {hours} h"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 outlet', '3 outlets', '1 story', '2 stories'."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


@cache
def language_name(code: str | None) -> str:
    """'Russian' for 'ru' (CLDR, via babel); the code itself when unknown."""
    if not code:
        return "unknown"
    from babel import Locale

    return Locale("en").languages.get(code, code)


def chart_uri(fig: Any) -> str:
    """A matplotlib figure as an inline PNG data URI (nothing is fetched from elsewhere)."""
    from nkru.trends import charts

    return "data:image/png;base64," + base64.b64encode(charts.render(fig)).decode("ascii")


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD form field, or None when empty; ValueError with a readable message when malformed."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0), UTC)
