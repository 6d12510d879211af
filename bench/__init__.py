"""Benchmarks: our code beside a reference (raw SQL, the naive ORM) in the same run.

Run from the repository root: `python -m bench` (or `make bench`). See bench/__main__.py.
"""
