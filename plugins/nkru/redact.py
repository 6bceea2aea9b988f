"""Hiding passwords in URLs and connection strings before anything is printed or logged.

nkru is told where its database and mail server are by URLs that may carry a password
(`postgresql://user:pw@host/db`, `smtp://user:pw@host:587`). Those URLs reach the screen in banners, in
`nkru doctor`, and inside error messages (libpq's "invalid dsn" text quotes the whole string, a URL that
does not parse is quoted by the code that rejects it). `mask_url` masks one URL; `scrub` masks every URL
and `password=` pair in free text, and any literal secret of the URLs it is given (for text that quotes a
string no pattern recognises).
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


def secrets_of(urls: Iterable[str | None]) -> list[str]:
    """The passwords in `urls` as they may be quoted (raw and percent-decoded); the whole user info of a URL
    that does not parse."""
    found: set[str] = set()
    for url in urls:
        if not url:
            continue
        rest = url.split("://", 1)[-1]
        userinfo = rest.split("/", 1)[0].rpartition("@")[0] if "@" in rest else ""
        if ":" in userinfo:
            password = userinfo.split(":", 1)[1]
            found.update({password, unquote(password)})
        found.update(m.group("value").strip("'") for m in _PASSWORD_PAIR.finditer(url))
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


def scrub(text: str, *urls: str | None) -> str:
    """`text` with the password of every URL in it masked, and every password of `urls` wherever it appears."""
    text = _mask_userinfo(str(text), keep_user=True) if "@" in str(text) or "password" in str(text).lower() else text
    for secret in secrets_of(urls):
        text = text.replace(secret, MASK)
    return text
