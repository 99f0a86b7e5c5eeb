"""Entity-resolution benchmark: a labelled generator built from real seeds, metrics, peers and a runner.

Run by hand (never part of the test suite's timing):
`uv run --frozen --group bench python -m benchmarks.er.run --scale 10k --peers`.
Method and measured figures: docs/benchmarks-entity-resolution.md.
"""
