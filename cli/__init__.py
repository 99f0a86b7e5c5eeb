"""The `flrisk` command, one module per audience (loading, sourcing, contracts, sharing, operations).

It calls the warehouse and the pure packages directly and Dagster only through `pipelines.runner`.
"""
