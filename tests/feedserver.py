"""A real HTTP server on 127.0.0.1 that serves feed files, for tests and benchmarks.

Tests talk to it over real sockets, so they exercise the same HTTP code as production (no mocks).
It is a stdlib `ThreadingHTTPServer` on a free port, run in a background thread.

Usage::

    from tests.feedserver import FeedServer

    with FeedServer(Path("tests/fixtures/feeds")) as server:
        url = server.url("kcna_watch_rss2.xml")          # http://127.0.0.1:PORT/kcna_watch_rss2.xml
        ...fetch url twice with the validators from the first answer...
        assert server.statuses("/kcna_watch_rss2.xml") == [200, 304]
        server.set_content("/kcna_watch_rss2.xml", new_bytes)   # the feed changes between runs

Fetching code must allow private addresses (`FetchConfig(allow_private_addresses=True)`), since the server
is on loopback.

Files are served from `directory` (and from `set_content`, which takes precedence and also creates new
paths) with a strong ETag and a Last-Modified date; a request whose If-None-Match matches the ETag, or
(without If-None-Match) whose If-Modified-Since is not older than Last-Modified, is answered 304.
Content-Type is `application/xml` for .xml (no charset, so the XML declaration decides), `application/rss+xml`
for .rss, `application/atom+xml` for .atom, `application/json` for .json; `set_content(..., content_type=)` and
`set_headers(path, {...})` override or add response headers for one path.

Special routes (FILE is any servable path, e.g. `kcna_watch_rss2.xml`):

==============================  ===========================================================================
`/status/<code>`                answers `<code>` with a short text body (e.g. `/status/503`)
`/slow/<ms>/FILE`               waits `<ms>` milliseconds, then serves FILE (conditional GET applies)
`/trickle/<ms>/FILE`            sends the headers at once, then FILE in 10 pieces, `<ms>` apart
`/redirect/<n>/FILE`            a chain of `<n>` 302 redirects ending at FILE
`/redirect-loop`                302 to itself, for ever
`/redirect-to?url=URL`          302 to any URL (e.g. a private address, another scheme)
`/huge`                         an endless-looking XML feed of `huge_bytes` (default 64 MiB), streamed
                                without Content-Length, so only a streaming size cap stops it early
`/huge-declared`                the same with a Content-Length header
`/gzip/FILE`                    FILE gzip-compressed, with `Content-Encoding: gzip`
`/html`                         an HTML page (text/html), as a site serves when a feed moved
`/empty`                        200 with an empty body and a feed content type
==============================  ===========================================================================

Every answered request is logged as a `Hit` (path without query, status, request headers, bytes sent,
whether the client took the whole body) before its status line goes out, so a test that got an answer
always finds it logged: `hits(path)`, `statuses(path)`, `clear_log()`.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/json",
}
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html lang='en'><head><title>Page moved</title></head>\n"
    b"<body><h1>Our feeds have moved</h1><p>See <a href='/news'>the news page</a>.</p></body></html>\n"
)


@dataclass
class Hit:
    """One request, logged when its status line is sent, so a client never sees an answer not yet logged.

    `bytes_sent` grows while the body is written; `complete` is None until the handler is done, then True
    when the whole body was sent, False when the client hung up first.
    """

    method: str
    path: str
    status: int
    headers: dict[str, str]
    bytes_sent: int = 0
    complete: bool | None = None


@dataclass
class Document:
    """A servable body with its validators and extra headers."""

    body: bytes
    content_type: str
    etag: str
    last_modified: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """Serves feed files on 127.0.0.1 on a free port; use it as a context manager (see the module doc)."""

    def __init__(
        self,
        directory: str | Path | None = None,
        *,
        huge_bytes: int = 64 * 2**20,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.directory = Path(directory).resolve() if directory else None
        self.huge_bytes = huge_bytes
        self.tls = tls  # (certificate, key): serve HTTPS (see tests/tls.py)
        # Called with each request's path before it is answered, while the client waits: lets a test make
        # something happen at that moment (e.g. the database go away in the middle of a run).
        self.on_request: Callable[[str], None] | None = None
        self._documents: dict[str, Document] = {}
        self._extra_headers: dict[str, dict[str, str]] = {}
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.most_in_flight = 0  # the most requests being answered at one moment (concurrency, without a clock)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> FeedServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.feeds = self
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses and content --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd, "the server is not running"
        return self._httpd.server_address[1]

    def url(self, path: str = "") -> str:
        """The absolute URL of `path` on this server."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def set_content(
        self, path: str, body: bytes, *, content_type: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Serve `body` at `path` from now on (new ETag and Last-Modified), instead of any file there.

        Last-Modified moves on by at least a second (HTTP dates have no finer grain), so a client that sends
        only If-Modified-Since also sees the change.
        """
        path = "/" + path.lstrip("/")
        previous = self._documents.get(path)
        modified = time.time()
        if previous is not None:
            modified = max(modified, (_http_date(previous.last_modified) or 0) + 1)
        self._documents[path] = _document(body, content_type or _content_type(path), modified, headers)

    def set_headers(self, path: str, headers: dict[str, str]) -> None:
        """Add or override response headers (e.g. Content-Type) for `path`, file or set content."""
        self._extra_headers["/" + path.lstrip("/")] = dict(headers)

    def document(self, path: str) -> Document | None:
        """What `path` serves: set content first, else a file under the directory (never outside it)."""
        path = "/" + path.lstrip("/")
        if path in self._documents:
            doc = self._documents[path]
        elif (file := self._file(path)) is not None:
            doc = _document(file.read_bytes(), _content_type(path), file.stat().st_mtime, None)
        else:
            return None
        return replace(doc, headers={**doc.headers, **self._extra_headers.get(path, {})})

    def _file(self, path: str) -> Path | None:
        if not self.directory:
            return None
        file = (self.directory / path.lstrip("/")).resolve()
        return file if file.is_relative_to(self.directory) and file.is_file() else None

    # -- request log ------------------------------------------------------------------------------------

    def request_started(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)

    def request_ended(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def hits(self, path: str | None = None) -> list[Hit]:
        """Requests answered so far, in order; only those for `path` when given."""
        with self._lock:
            hits = list(self._hits)
        return [h for h in hits if path is None or h.path == "/" + path.lstrip("/")]

    def statuses(self, path: str) -> list[int]:
        """The status codes `path` was answered with, in order (e.g. [200, 304])."""
        return [h.status for h in self.hits(path)]

    def clear_log(self) -> None:
        with self._lock:
            self._hits.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # benchmarks open hundreds of connections at once
    feeds: FeedServer


class _Handler(BaseHTTPRequestHandler):
    """Routes a GET to a special route or a document; every answer is logged on the FeedServer."""

    server: _Server
    server_version = "nkru-feedserver/1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the request log is on the FeedServer."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._hit: Hit | None = None
        if self.server.feeds.on_request:
            self.server.feeds.on_request(urlsplit(self.path).path)
        self.server.feeds.request_started()
        try:
            self._route(urlsplit(self.path).path)
            complete = True
        except (BrokenPipeError, ConnectionResetError):
            complete = False  # the client gave up (timeout, size cap): that is the point of some tests
        finally:
            self.server.feeds.request_ended()
        if self._hit:
            self._hit.complete = complete

    def _route(self, path: str) -> None:
        parts = path.strip("/").split("/")
        head, rest = parts[0], "/".join(parts[2:])
        if head == "status" and len(parts) == 2 and parts[1].isdigit():
            code = int(parts[1])
            self._send(code, f"{code} {_phrase(code)}\n".encode(), {"Content-Type": "text/plain"})
        elif head in ("slow", "trickle") and len(parts) > 2 and parts[1].isdigit():
            delay = int(parts[1]) / 1000
            if head == "slow":
                time.sleep(delay)
                self._serve("/" + rest)
            else:
                self._serve("/" + rest, pause=delay)
        elif head == "redirect" and len(parts) > 2 and parts[1].isdigit():
            hops = int(parts[1])
            self._redirect(f"/redirect/{hops - 1}/{rest}" if hops > 1 else f"/{rest}")
        elif path == "/redirect-loop":
            self._redirect("/redirect-loop")
        elif path == "/redirect-to":
            self._redirect(parse_qs(urlsplit(self.path).query).get("url", ["/"])[0])
        elif path in ("/huge", "/huge-declared"):
            self._huge(declare_length=path == "/huge-declared")
        elif head == "gzip" and len(parts) > 1:
            self._serve("/" + "/".join(parts[1:]), compress=True)
        elif path == "/html":
            self._send(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        elif path == "/empty":
            self._send(200, b"", {"Content-Type": "application/rss+xml"})
        else:
            self._serve(path)

    def _serve(self, path: str, *, compress: bool = False, pause: float = 0.0) -> None:
        """A document with validators, 304 when the client's copy is current, 404 when there is none."""
        doc = self.server.feeds.document(path)
        if doc is None:
            self._send(404, b"404 Not Found\n", {"Content-Type": "text/plain"})
            return
        validators = {"ETag": doc.etag, "Last-Modified": doc.last_modified}
        if self._not_modified(doc):
            self._send(304, b"", validators)
            return
        body = gzip.compress(doc.body) if compress else doc.body
        headers = _merge_headers({"Content-Type": doc.content_type}, validators, doc.headers)
        if compress:
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, headers, pause=pause)

    def _not_modified(self, doc: Document) -> bool:
        """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip() for t in if_none_match.split(",")]
            return "*" in tags or doc.etag in tags or f"W/{doc.etag}" in tags
        since = _http_date(self.headers.get("If-Modified-Since"))
        modified = _http_date(doc.last_modified)
        return since is not None and modified is not None and modified <= since

    def _redirect(self, location: str) -> None:
        self._send(302, b"", {"Location": location})

    def _huge(self, *, declare_length: bool) -> None:
        """A feed far larger than any sane cap, generated as it is sent."""
        size = self.server.feeds.huge_bytes
        headers = {"Content-Type": "application/rss+xml"}
        if declare_length:
            headers["Content-Length"] = str(size)
        self._start(200, headers)
        item = b"<item><title>Filler</title><link>http://example.com/</link></item>\n" * 1000
        chunks = _repeat(b'<rss version="2.0"><channel><title>huge</title>\n', item, size)
        for chunk in chunks:
            self._write(chunk)

    def _send(self, status: int, body: bytes, headers: dict[str, str], *, pause: float = 0.0) -> None:
        self._start(status, {**headers, "Content-Length": str(len(body))})
        if not pause:
            self._write(body)
            return
        step = max(1, -(-len(body) // 10))
        for start in range(0, len(body), step):
            time.sleep(pause)
            self._write(body[start : start + step])

    def _start(self, status: int, headers: dict[str, str]) -> None:
        request_headers = {k.lower(): v for k, v in self.headers.items()}
        self._hit = Hit("GET", urlsplit(self.path).path, status, request_headers)
        self.server.feeds.record(self._hit)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        if self._hit:
            self._hit.bytes_sent += len(data)


def _document(body: bytes, content_type: str, mtime: float, headers: dict[str, str] | None) -> Document:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 - a cache key, not security
    return Document(body, content_type, etag, email.utils.formatdate(mtime, usegmt=True), dict(headers or {}))


def _merge_headers(*layers: dict[str, str]) -> dict[str, str]:
    """Later layers win, whatever the case of the names ('Content-type' replaces 'Content-Type')."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        merged.update({name.lower(): (name, value) for name, value in layer.items()})
    return dict(merged.values())


def _content_type(path: str) -> str:
    return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def _http_date(value: str | None) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def _repeat(head: bytes, chunk: bytes, total: int) -> Iterator[bytes]:
    """`head`, then `chunk` repeated, cut to exactly `total` bytes."""
    data, sent = head, 0
    while sent < total:
        piece = data[: total - sent]
        yield piece
        sent += len(piece)
        data = chunk
