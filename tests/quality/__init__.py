"""What a reader should get from a briefing, and what spoils one: the quality instrument.

Plain data and plain functions shared by ``bench/quality.py`` (which measures every
briefing) and the tests (which keep the list true to the seeds and the detectors honest).
They live here, not in bench/, because every module in bench/ is run as a benchmark, and
``catalog_problems()`` in tests/fuzz/test_compiler.py can import the detectors from here.
"""
