"""Hiding passwords in URLs and connection strings before anything is printed or logged.

nkru is told where its database and mail server are by URLs that may carry a password
(`postgresql://user:pw@host/db`, `smtp://user:pw@host:587`). Those URLs reach the screen in banners, in
`nkru doctor`, and inside error messages (libpq's "invalid dsn" text quotes the whole string, a URL that
does not parse is quoted by the code that rejects it). `mask_url` masks one URL; `scrub` masks every URL
and `password=` pair in free text, and the user info of the URLs it is given wherever it is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

MASK = "***"
# scheme://userinfo@ : the userinfo runs to the last "@" before the host (a raw "@" in a password is common).
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/?#'\"<>]*)@")
# password=secret in a libpq key/value string or a query (?password=...), quoted or not.
_PASSWORD_PAIR = re.compile(r"(?P<key>\bpassword\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.IGNORECASE)


def mask_url(url: str) -> str:
    """`url` with its password replaced by ***; the whole user info when the URL cannot be parsed."""
    if not isinstance(url, str):
        return MASK
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on ':notaport'; such a URL counts as unparsable)
    except ValueError:
        return _mask_userinfo(url, keep_user=False)
    if "@" not in parts.netloc:
        if "@" in url and "://" not in url:  # `user:pw@host/db`: no scheme, so no parsable user info
            return MASK + "@" + url.rpartition("@")[2]
        return _PASSWORD_PAIR.sub(lambda m: m.group("key") + MASK, url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    netloc = f"{user}:{MASK}@{host}" if has_password else parts.netloc
    masked = parts._replace(netloc=netloc).geturl()
    return _PASSWORD_PAIR.sub(lambda m: m.group("key") + MASK, masked)


def _mask_userinfo(text: str, *, keep_user: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        user, has_password, _ = match.group("userinfo").partition(":")
        hidden = f"{user}:{MASK}" if keep_user and has_password else (user if keep_user else MASK)
        return f"{match.group('scheme')}{hidden}@"

    text = _URL_USERINFO.sub(replace, text)
    return _PASSWORD_PAIR.sub(lambda m: m.group("key") + MASK, text)


def _quoted_userinfo(urls: Iterable[str | None]) -> list[tuple[str, str]]:
    """For each URL with a password: its user info as it may be quoted ("user:pw@", raw and percent-decoded)
    and what to show instead ("user:***@"). Only the whole "user:pw@" is replaced, never a bare password,
    which may be a common word ("nkru") found all over the output."""
    pairs: set[tuple[str, str]] = set()
    for url in urls:
        if not url or "@" not in url:
            continue
        rest = url.split("://", 1)[-1]
        userinfo = rest.split("/", 1)[0].rpartition("@")[0]
        user, has_password, _ = userinfo.partition(":")
        if has_password:
            pairs.update({(f"{userinfo}@", f"{user}:{MASK}@"), (f"{unquote(userinfo)}@", f"{unquote(user)}:{MASK}@")})
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def scrub(text: str, *urls: str | None) -> str:
    """`text` with the password of every URL in it masked, also where `urls` are quoted in a form no pattern
    recognises (libpq's "invalid dsn" quotes `user:pw@host/db` as it was given)."""
    text = str(text)
    for quoted, shown in _quoted_userinfo(urls):
        text = text.replace(quoted, shown)
    if "@" in text or "password" in text.lower():
        text = _mask_userinfo(text, keep_user=True)
    return text
