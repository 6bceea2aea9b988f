"""Fetch a batch of feeds politely in a background thread and take the results in request order as they arrive.

`politeness.fetch_feeds_politely` returns when the last feed has answered, holding every body at once: a batch of
every feed of one host can be thousands of feeds (5,000 loopback feeds: about 70 MB of bodies), and nothing can
be parsed while the batch is fetched. `FeedStream` runs the same fetches (one client, one `HostGates`, the same
validator checks) in a thread while the caller parses and stores what arrived, and starts a fetch only while
fewer than `ahead` results wait to be taken, so memory holds a window of feeds, not the batch (issue 15).

The results come in request order, whatever order the answers arrive in, so storing them gives what storing
the whole batch in order gives (the first feed carrying a link owns it).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future

import httpx

from nkru.config import FetchConfig
from nkru.feeds.addresses import Resolver
from nkru.feeds.fetch import FetchRequest, FetchResult
from nkru.feeds.politeness import HostGates, HostWait, PoliteFetch, fetch_checked, fetch_client


class FeedStream:
    """Use as a context manager, then iterate: one `FetchResult` per request, in order.

    `fetched` is the batch's `PoliteFetch` without its results: its waits, checked validators and `after_304`
    are complete for every result already taken (a host's wait is known before the result it deferred).
    """

    def __init__(
        self,
        requests: Sequence[FetchRequest],
        settings: FetchConfig,
        check_validators: set[str] | frozenset[str] = frozenset(),
        known_waits: dict[str, HostWait] | None = None,
        *,
        ahead: int = 200,
        resolver: Resolver | None = None,
    ) -> None:
        self.fetched = PoliteFetch(results=[])
        self._requests = list(requests)
        self._settings = settings
        self._checks = check_validators
        self._gates = HostGates(settings, known_waits)
        self._resolver = resolver
        self._slots: list[Future[FetchResult] | None] = [Future() for _ in self._requests]  # None once taken
        self._loop = asyncio.new_event_loop()
        self._room = asyncio.Semaphore(max(1, ahead))
        self._main = self._loop.create_task(self._fetch_all())
        self._thread = threading.Thread(target=self._run, name="nkru-fetch", daemon=True)

    def __enter__(self) -> FeedStream:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Wait for the fetch thread; a consumer that stopped early cancels the fetches it will not take."""
        if any(slot is not None for slot in self._slots):
            self._call(self._main.cancel)
        self._thread.join()
        self.fetched.waits = self._gates.waits

    def __iter__(self) -> Iterator[FetchResult]:
        for index, slot in enumerate(self._slots):
            assert slot is not None, "a FeedStream is taken once"
            result = slot.result()
            self._slots[index] = None  # the body is the caller's now, freed when it is done with it
            self._call(self._room.release)  # one result taken: one more fetch may start
            yield result

    def _call(self, callback: Callable[[], object]) -> None:
        with contextlib.suppress(RuntimeError):  # every fetch is done and the loop closed
            self._loop.call_soon_threadsafe(callback)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._main)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            reason = exc if isinstance(exc, Exception) else RuntimeError(f"fetching stopped: {exc!r}")
            for slot in self._slots:
                if slot is not None and not slot.done():
                    slot.set_exception(reason)
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _fetch_all(self) -> None:
        async with fetch_client(self._settings, self._resolver) as client:
            await asyncio.gather(*(self._fetch(client, i) for i in range(len(self._requests))))

    async def _fetch(self, client: httpx.AsyncClient, index: int) -> None:
        await self._room.acquire()  # the requests queue here in order, and are let through in that order
        request = self._requests[index]
        result = await fetch_checked(self._gates, client, request, self._settings, self._checks, self.fetched)
        self.fetched.waits = self._gates.waits
        slot = self._slots[index]
        if slot is not None:
            slot.set_result(result)
