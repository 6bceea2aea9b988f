"""Canonical story URLs.

The same story reaches us through several feeds with different tracking parameters, fragments and
capitalisation of the host; reducing every link to one canonical form is what lets the pipeline notice
that two items are the same story.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from nkru.untrusted import strip_controls

# Query parameters that identify a campaign or a click, never the page itself.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "rss",
        "cmpid",
        "ocid",
        "_ga",
        "_gl",
        "igshid",
        "xtor",
        "ncid",
        "s_cid",
        "at_medium",
        "at_campaign",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of `url` (resolved against `base`), or None when it is not a usable http(s) URL.

    Lower-cases scheme and host, drops user info, the default port, the fragment and tracking parameters,
    and keeps every other query parameter in its original order and encoding.
    """
    try:
        return _canonical(url, base)
    except ValueError:  # a malformed port or IPv6 literal: not a URL we can use
        return None


def _canonical(url: str, base: str | None) -> str | None:
    url = strip_controls(url).strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != DEFAULT_PORTS[scheme]:
        netloc += f":{parts.port}"
    return urlunsplit((scheme, netloc, parts.path or "/", _strip_tracking(parts.query), ""))


def _strip_tracking(query: str) -> str:
    """The query without tracking parameters, the rest untouched (order and percent-encoding kept)."""
    kept = [pair for pair in query.split("&") if pair and not is_tracking_param(pair.split("=", 1)[0])]
    return "&".join(kept)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter name that only tracks the click (utm_source, fbclid, ...)."""
    name = unquote_plus(name).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)
