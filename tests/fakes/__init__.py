"""Reusable fakes for tests: local servers that speak the real protocols (no mocks of our code)."""
