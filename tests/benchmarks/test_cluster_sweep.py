"""The clustering sweep reads its variants as documented."""

from __future__ import annotations

from benchmarks.er.cluster_sweep import variant_settings
from entity_resolution.settings import ResolutionSettings


def test_variants_set_probes_links_per_difference_and_an_optional_auto_threshold():
    base = ResolutionSettings()
    plain = variant_settings(base, "0:4")
    assert (plain.probes_per_record, plain.links_per_difference) == (0, 4.0)
    assert plain.auto_match_threshold == base.auto_match_threshold
    lower = variant_settings(base, "2:3:0.6")
    assert (lower.probes_per_record, lower.links_per_difference, lower.auto_match_threshold) == (2, 3.0, 0.6)
    assert lower.review_threshold < lower.auto_match_threshold
