"""Probabilistic record linkage of persons, behind a small interface.

Nothing in this package imports Django, so the linkage runs and is tested on
its own, and a Spark backend can replace the DuckDB one behind `Linker`.
"""
