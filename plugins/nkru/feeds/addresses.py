"""Refuse to fetch from addresses inside the network (SSRF protection).

Feed URLs come from a settings file and redirects come from remote servers, so a hostile feed could point
us at a database, a cloud metadata service or the Airflow API. Every connection's host is resolved once, every
address it resolves to must be public, and the connection goes to one of those very addresses
(`nkru.feeds.transport`): a name that answers a public address to the check and a private one to a second
query (DNS rebinding) never gets that second query.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses to connect to; `resolve` unless a caller (a test) brings its own.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class BlockedAddress(Exception):
    """The host resolves to an address we must not connect to; the message names it."""


def address_kind(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched from ('loopback', 'private', ...), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.5 is 10.0.0.5
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private or not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def refuse_if_private(ip: IPAddress, host: str) -> None:
    """Raise BlockedAddress when `ip` (what `host` means) is not a public address."""
    kind = address_kind(ip)
    if kind:
        shown = str(ip) if str(ip) == host else f"{ip} ({host})"
        article = "an" if kind[0] in "aeiou" else "a"
        raise BlockedAddress(f"refusing to fetch from {article} {kind} address {shown}")


async def checked_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver | None = None
) -> list[IPAddress]:
    """The addresses of `host` to connect to, once each is known to be public (unless `allow_private`).

    Resolution errors (socket.gaierror) propagate: the caller reports them as connection errors.
    """
    addresses = await (resolver or resolve)(host, port)
    if not allow_private:
        for ip in addresses:
            refuse_if_private(ip, host)
    return addresses


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of `host` (an IP literal, in any form the C library accepts, without a DNS query)."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Strip an IPv6 zone ("fe80::1%eth0") before parsing; the address itself decides.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def ip_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP means (standard or old numeric form), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return legacy_ipv4(host)


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a host in an old numeric IPv4 form means, or None (a name, or the standard dotted quad).

    The C library, and so curl and many resolvers, still read octal "0177.0.0.1", one number "2130706433",
    hex "0x7f.1" and short "127.1" as 127.0.0.1.
    """
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None  # inet_aton tolerates text after a space; only a bare numeric form counts
    try:
        ipaddress.IPv4Address(host)
        return None  # the standard form
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def refuse_legacy_form(host: str) -> None:
    """Raise BlockedAddress for a host in an old numeric IPv4 form, whatever address it means.

    No feed needs to write an address that way, an attacker does it to get past checks on the text, and
    httpx rejects some of these forms as invalid URLs: refused as the address it means, the reason is clear.
    """
    ip = legacy_ipv4(host)
    if ip is not None:
        refuse_if_private(ip, host)
        raise BlockedAddress(f"refusing to fetch from {host}, a non-standard way of writing the address {ip}")
