"""Large data loaded for a whole batch (the topic lexicon: some 370,000 Python objects), kept out of the garbage
collector's way (issue 15).

Python's collector passes over every object it tracks each time enough new ones have survived, and the lexicon,
which lives as long as the batch, is most of them: measured over a first run of 400 bench feeds, its passes
while the lexicon was built (it frees nothing of it) and over it afterwards took 0.76-0.83 s of the ingest
process's CPU, 0.13-0.15 s with the collector paused while loading and the loaded objects frozen
(`gc.freeze`) until the batch ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class LongLived:
    """Use as a context manager around a batch; `load` what the whole batch keeps. On leaving, what `load` froze
    is unfrozen, so that a later batch's garbage (the lexicon of this one) can be freed again."""

    def __init__(self) -> None:
        self._froze = False

    def __enter__(self) -> LongLived:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def load(self, make: Callable[[], T]) -> T:
        """`make()` with the collector paused, then every object made so far frozen (unless the process froze
        some already, as a forking server does: that is left as it is)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            value = make()
        finally:
            if paused:
                gc.enable()
        if not gc.get_freeze_count():
            gc.freeze()
            self._froze = True
        return value
