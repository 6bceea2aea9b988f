"""The multilingual scorer as round 1 of issue 9 left it (nkru.relevance and nkru.lexicon at commit e0dfc68, with
its lexicon files), frozen for the speed comparison in bench_relevance.py. Not used by nkru itself."""
