"""Where ingest detects languages: in a process of its own for a large batch of feeds, else in a thread.

lingua's batch call holds the GIL from its start to its end (issue 15; measured with lingua 2.1.1: while one
thread detected 10,000 items, 2.0 s, the main thread did not run once), so a thread gives no overlap: every
chunk's detection stopped parsing, scoring and storing for as long as it ran. A child process detects a chunk
while the main process parses the next one. It costs about 0.2 s and 60 MB to start and lives only as long as
the batch, so it is started only for a batch of `APART_FEEDS` feeds or more; a smaller batch detects in a thread
as before. The child is a fresh interpreter that imports only `nkru.language` (not `multiprocessing`, whose
`spawn` imports the parent's main module again: under Airflow's command line, all of Airflow), and the same
function, `language.detect_many`, answers in either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from nkru import language

log = logging.getLogger(__name__)

# From this many feeds in a batch (about 5,000 items, some 0.7 s of detection holding the GIL) the child
# process pays for its start-up.
APART_FEEDS = 100
Items = list[tuple[str, str, "str | None"]]  # (title, summary, the feed's declared language)


class _InThread:
    """Detection in a thread of this process (the GIL held while lingua runs)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nkru-languages")

    def __enter__(self) -> _InThread:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown()

    def start(self) -> None:
        """Nothing to start."""

    def detect(self, items: Items) -> Future:
        return self._pool.submit(language.detect_many, items)


class _InChild:
    """Detection in a child process: each request a pickled list of items on its stdin, each answer the pickled
    (ok, detections or error text) on its stdout, in order; a thread here takes the answers as they come."""

    def __init__(self) -> None:
        self._child: subprocess.Popen | None = None
        self._gone = False  # could not start, or ended: this process detects the items itself, as a thread would
        self._waiting: deque[Future] = deque()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="nkru-languages", daemon=True)

    def __enter__(self) -> _InChild:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the child's input (it ends when it has answered) and wait for it."""
        if self._child is None:
            return
        with contextlib.suppress(OSError):  # already closed by a child that is gone
            self._child.stdin.close()
        self._child.wait()
        self._reader.join()

    def start(self) -> None:
        """Start the child, once: it loads the models while the caller loads and parses its first chunk. A batch
        whose feeds all answered 304 never starts it."""
        if self._child is not None or self._gone:
            return
        here = str(Path(__file__).resolve().parents[1])  # where nkru is, wherever the parent found it
        code = f"import sys; sys.path.insert(0, {here!r}); from nkru import language_apart; language_apart.serve()"
        try:
            self._child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError:
            log.warning("the language detection process could not start; detecting in this one", exc_info=True)
            self._gone = True
            return
        self._reader.start()

    def detect(self, items: Items) -> Future:
        self.start()
        future: Future = Future()
        with self._lock:
            if not self._gone:
                self._waiting.append(future)
                try:
                    pickle.dump(items, self._child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                    self._child.stdin.flush()
                    return future
                except OSError:
                    log.warning("the language detection process is gone; detecting in this one", exc_info=True)
                    self._waiting.remove(future)
                    self._gone = True
        future.set_result(language.detect_many(items))
        return future

    def _read(self) -> None:
        while True:
            try:
                ok, value = pickle.load(self._child.stdout)
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            future = self._waiting.popleft()
            if ok:
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(value))
        with self._lock:
            while self._waiting:
                self._waiting.popleft().set_exception(RuntimeError("the language detection process ended"))


def detector_for(feeds: int) -> _InThread | _InChild:
    """Where to detect the languages of a batch of `feeds` feeds: a context manager whose `detect(items)` gives
    a future of `language.detect_many(items)`. The child starts at once and loads the models while the first
    feeds are fetched."""
    return _InChild() if feeds >= APART_FEEDS else _InThread()


def serve() -> None:
    """The child's loop: answer each request on stdin with its detections on stdout, until stdin closes."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot garble the answers
    language.detect("The models are loaded before the first chunk of items arrives")
    while True:
        try:
            items = pickle.load(requests)
        except EOFError:
            return
        try:
            answer = (True, language.detect_many(items))
        except Exception as exc:  # noqa: BLE001 - sent back: the parent detects these items itself
            answer = (False, f"{type(exc).__name__}: {exc}")
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


def detecting(detector: _InThread | _InChild, items: Items) -> Future:
    """The languages of the (title, summary, hint) `items`, in order, being detected by `detector`; a future that
    holds the error if that failed at once (its caller then detects them itself)."""
    done: Future = Future()
    if not items:  # every feed of the chunk answered 304 or failed
        done.set_result([])
        return done
    try:
        return detector.detect(items)
    except Exception as exc:  # noqa: BLE001 - handed over in the future, as an executor would
        done.set_exception(exc)
        return done
