"""Today's scorer before issue 9 (three languages, regular expressions), frozen for the speed comparison in
bench_relevance.py. Not used by nkru itself."""
