"""What a batch loads for itself is out of the collector's way during the batch and freeable after it."""

from __future__ import annotations

import gc

from nkru.long_lived import LongLived


def test_what_a_batch_loads_is_frozen_during_the_batch_and_freeable_after_it():
    gc.unfreeze()  # as a process that froze nothing itself (an earlier test's library may have frozen some)
    with LongLived() as long_lived:
        lexicon = long_lived.load(lambda: [{"term": n} for n in range(1000)])
        assert gc.get_freeze_count() >= 1000 and gc.isenabled()
    assert gc.get_freeze_count() == 0 and len(lexicon) == 1000


def test_a_process_that_froze_objects_itself_keeps_them_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with LongLived() as long_lived:
            long_lived.load(lambda: [[n] for n in range(1000)])
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
