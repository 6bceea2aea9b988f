"""nkru: a news monitor for North Korea–Russia relations."""
