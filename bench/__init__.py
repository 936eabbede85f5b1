"""The benchmarks: each module is a script (``python bench/fanout.py``) and, as a package,
code the report (``bench/report.py``) and the suite (``tests/e2e/test_load.py``) import
instead of copying."""
