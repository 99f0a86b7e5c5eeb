"""Entity-resolution benchmark: labelled generators (v1 from real seeds, v2 the supplier world), metrics,
peers, a runner, the engine's exact blocking reach, an error-analysis tool and native-script pairs.

Run by hand (never part of the test suite's timing):
`uv run --frozen --group bench python -m benchmarks.er.run --scale 10k --peers [--generator v2]`,
`python -m benchmarks.er.errors --scale 10k --generator v2`, `python -m benchmarks.er.native_pairs`.
Method and measured figures: docs/benchmarks-entity-resolution.md.
"""
