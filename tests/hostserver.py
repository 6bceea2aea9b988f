"""A `FeedServer` that plays one host among several, for politeness tests and benchmarks.

It binds any loopback address (127.0.0.2, 127.0.0.3, ... are distinct hosts to the fetcher), counts the requests
it is handling (and the most at once), and can misbehave the ways real sites do. A request counts from its
arrival until its answer is about to go out: counting until the handler thread has finished would overlap the
client's next request, which the client may send as soon as the last byte arrives. The server speaks HTTP/1.0 and
closes each connection after its answer, so requests in flight are also the open connections.

* `set_status(path, code, headers)` — answer `path` with `code` (e.g. 429 with Retry-After, a 500 robots.txt);
* `lie_not_modified(path)` — answer 304 to any conditional request for `path`, changed or not (stale validators);
* `/endless-html` — a text/html page that never ends (a 5 GB stream, generated as it is sent).

Fetching code must allow private addresses (`FetchConfig(allow_private_addresses=True)`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

from tests.feedserver import FeedServer, _Handler, _Server

ENDLESS_HTML_BYTES = 5 * 2**30


class HostServer(FeedServer):
    """Serves like FeedServer on `address` (a loopback address), counting what is in flight."""

    def __init__(self, address: str = "127.0.0.1", directory: str | Path | None = None) -> None:
        super().__init__(directory)
        self.address = address
        self._statuses: dict[str, tuple[int, dict[str, str]]] = {}
        self._liars: set[str] = set()
        self._count_lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0

    def start(self) -> HostServer:
        self._httpd = _Server((self.address, 0), _CountingHandler)
        self._httpd.feeds = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def url(self, path: str = "") -> str:
        return f"http://{self.address}:{self.port}/{path.lstrip('/')}"

    def set_status(self, path: str, code: int, headers: dict[str, str] | None = None) -> None:
        """Answer `path` with `code` (and these headers) from now on."""
        self._statuses["/" + path.lstrip("/")] = (code, dict(headers or {}))

    def lie_not_modified(self, path: str) -> None:
        """Answer 304 to every conditional request for `path`, whatever it serves now."""
        self._liars.add("/" + path.lstrip("/"))

    def reset_counts(self) -> None:
        with self._count_lock:
            self.max_in_flight = self.in_flight

    def _count(self, attribute: str, step: int) -> None:
        with self._count_lock:
            value = getattr(self, attribute) + step
            setattr(self, attribute, value)
            peak = "max_" + attribute
            setattr(self, peak, max(getattr(self, peak), value))


class _CountingHandler(_Handler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._counted = True
        self.server.feeds._count("in_flight", 1)
        try:
            super().do_GET()
        finally:
            self._answered()

    def _answered(self) -> None:
        """The request stops counting (once): its answer is going out."""
        if self._counted:
            self._counted = False
            self.server.feeds._count("in_flight", -1)

    def _send(self, status: int, body: bytes, headers: dict[str, str], *, pause: float = 0.0) -> None:
        if not pause:
            self._answered()
        super()._send(status, body, headers, pause=pause)

    def _route(self, path: str) -> None:
        host: HostServer = self.server.feeds  # type: ignore[assignment]
        if path in host._statuses:
            code, headers = host._statuses[path]
            self._send(code, f"{code}\n".encode(), {"Content-Type": "text/plain", **headers})
        elif path in host._liars and (self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")):
            doc = host.document(path)
            self._send(304, b"", {"ETag": doc.etag} if doc else {})
        elif path == "/endless-html":
            self._endless_html()
        else:
            super()._route(urlsplit(self.path).path)

    def _endless_html(self) -> None:
        self._start(200, {"Content-Type": "text/html; charset=utf-8"})
        self._write(b"<!DOCTYPE html><html><head><title>Endless</title></head><body>")
        chunk = b"<p>" + b"Pyongyang Moscow " * 3000 + b"</p>\n"
        sent = 0
        while sent < ENDLESS_HTML_BYTES:
            self._write(chunk)
            sent += len(chunk)
