"""risk_model: the documented, reproducible forced-labour risk model (pure; never imports dagster)."""
