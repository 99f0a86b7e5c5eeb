"""Static, offline HTML risk reports per brand (rendering only; the asset is assets/reports.py)."""
