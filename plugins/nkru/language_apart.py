"""Where ingest detects languages: in a process of its own for a large batch of feeds, else in a thread.

lingua's batch call holds the GIL from its start to its end (issue 15; measured with lingua 2.1.1: while one
thread detected 10,000 items, 2.0 s, the main thread did not run once), so a thread gives no overlap: every
chunk's detection stopped parsing, scoring and storing for as long as it ran (at 5,000 feeds, about a fifth of
the run). A child process detects a chunk while the main process parses the next one. It costs about 0.2 s
and 60 MB to start (a fresh interpreter, `spawn`: the parent has threads and a database connection that a fork
would copy) and lives only as long as the batch, so it is started only for a batch of `APART_FEEDS` feeds or
more; a smaller batch detects in a thread as before. Both are `concurrent.futures` executors with the same
answers (`language.detect_many` in either).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

from nkru import language

# From this many feeds in a batch (about 5,000 items, some 0.7 s of detection holding the GIL) the child
# process pays for its start-up.
APART_FEEDS = 100


def detector_for(feeds: int) -> Executor:
    """An executor for `language.detect_many`: a child process for `feeds` >= `APART_FEEDS`, else a thread.
    The child starts at once and loads the models while the first feeds are fetched."""
    if feeds < APART_FEEDS:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nkru-languages")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(warm_up)
    return pool


def warm_up() -> None:
    """Build the detector and load the models of the Latin script, which most items are written in."""
    language.detect("The models are loaded before the first chunk of items arrives")


def detecting(detector: Executor, items: list[tuple[str, str, str | None]]) -> Future:
    """The languages of the (title, summary, hint) `items`, in order, being detected by `detector`; a future that
    holds the error if the child process is gone (its caller then detects them itself)."""
    try:
        return detector.submit(language.detect_many, items)
    except Exception as exc:  # noqa: BLE001 - handed over in the future, as the executor would
        failed: Future = Future()
        failed.set_exception(exc)
        return failed
