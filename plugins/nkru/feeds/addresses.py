"""Refuse to fetch from addresses inside the network (SSRF protection).

Feed URLs come from a settings file and redirects come from remote servers, so a hostile feed could point
us at a database, a cloud metadata service or the Airflow API. Every hop's host is resolved and every
address it resolves to must be public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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


async def check_host(host: str, port: int) -> None:
    """Raise BlockedAddress unless every address `host` resolves to is public.

    Resolution errors (socket.gaierror) propagate: the caller reports them as connection errors.
    """
    for ip in await resolve(host, port):
        kind = address_kind(ip)
        if kind:
            shown = str(ip) if str(ip) == host else f"{ip} ({host})"
            raise BlockedAddress(f"refusing to fetch from a {kind} address {shown}")


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of `host` (an IP literal resolves to itself without a DNS query)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Strip an IPv6 zone ("fe80::1%eth0") before parsing; the address itself decides.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
