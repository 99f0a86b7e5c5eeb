"""Demo data bundle for flrisk: committed seeds, the deterministic generator and its output.

`uv run --frozen python -m demo.generate_bundle` rewrites demo/bundle/ byte for byte from demo/seeds/.
"""
