"""Benchmarks of publishing to PostgreSQL (run by hand)."""
