"""sharing: privacy-preserving sharing of flrisk evidence (pure; never imports dagster, assets or pipelines).

- :mod:`sharing.synthesis` fits a Chow-Liu tree over a sensitive table's discretised columns and samples
  a synthetic table that keeps marginals and pairwise associations, rejecting any draw that copies a
  real row's quasi-identifiers or reproduces a rare (< k) real combination;
- :mod:`sharing.fidelity` measures it (total variation distance, Cramér's V differences, disclosure);
- :mod:`sharing.htcds` exports worker-voice cases with HTCDS v2 field names and picklist values;
- :mod:`sharing.bundle` writes and verifies a sharing bundle (published tables, contracts, data-quality
  summary, manifest with SHA-256 checksums).
"""
