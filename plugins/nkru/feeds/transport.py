"""An httpx transport that connects only to addresses it has checked (no DNS rebinding).

httpx would resolve a host name itself when it connects, after our address check resolved it once: a hostile
name server can answer a public address to the check and 127.0.0.1 to the connection. Here the connection
layer (httpcore's network backend) is the only place a name is resolved: it resolves, checks every address
(`nkru.feeds.addresses`) and connects to one of exactly those addresses. Every new connection goes through it,
so every redirect hop is covered. TLS is unaffected: httpcore still sends the host name as SNI and verifies the
certificate against it, since it takes both from the URL, not from the address connected to.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from nkru.feeds.addresses import Resolver, checked_addresses


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio backend, connecting to a host's checked addresses instead of resolving it again."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(host, port, allow_private=self._allow_private, resolver=self._resolver)
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for ip in addresses:  # in the resolver's order, as a browser tries them
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (pooling, HTTP/1.1, TLS verified for the host name) over a `CheckedBackend`."""

    def __init__(self, *, allow_private: bool, limits: httpx.Limits, resolver: Resolver | None = None) -> None:
        tls = httpx.create_ssl_context()  # certificates verified against the host name, as httpx does
        super().__init__(verify=tls, limits=limits)
        # httpx builds its connection pool without a way to pass a network backend: build it again with ours,
        # with the same settings httpx would use.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedBackend(allow_private=allow_private, resolver=resolver),
        )
