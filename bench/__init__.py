"""Benchmarks: `python -m bench` prints a table per hot path."""
