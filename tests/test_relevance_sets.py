"""The hand-written relevance sets keep the promises bench/relevance/README.md makes about them.

A set written by an independent hand is trustworthy only if its first score was written down before anyone
tuned on it, and if a spent holdout says it moved to dev: these tests read the files as a reviewer would.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SETS = Path(__file__).resolve().parent.parent / "bench" / "relevance"
HAND_FOLDERS = sorted(p for p in SETS.iterdir() if p.is_dir() and p.name.startswith(("round", "holdout")))


def test_check_py_accepts_every_set() -> None:
    done = subprocess.run([sys.executable, str(SETS / "check.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hard negatives" in done.stdout


@pytest.mark.parametrize("folder", HAND_FOLDERS, ids=[p.name for p in HAND_FOLDERS])
def test_each_later_hands_set_records_its_first_score_and_where_it_stands(folder: Path) -> None:
    """holdoutN/ holds split holdoutN only and says it is unscored or gives its first score; roundN/ (a spent
    holdout) holds dev only and says when it moved to dev."""
    files = sorted(folder.glob("*.yaml"))
    assert len(files) == 28, folder
    for path in files:
        text = path.read_text(encoding="utf-8")
        header = text.split("\nitems:", 1)[0]
        splits = {item["split"] for item in yaml.safe_load(text)["items"]}
        assert "FIRST SCORE" in header, path
        if folder.name.startswith("holdout"):
            assert splits == {folder.name}, path
        else:
            assert splits == {"dev"}, path
            assert "MOVED TO DEV" in header, path
            assert "not yet scored" not in header, path
