"""Entity-resolution settings: one frozen, serialisable object, so a run can record exactly what it used."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ResolutionSettings:
    """Thresholds and limits for blocking, scoring and decisions.

    Decision bands work like Open Supply Hub's: a pair scoring at or above `auto_match_threshold`
    merges; one in [`review_threshold`, `auto_match_threshold`) goes to the review queue; below
    that the records stay distinct. Clustering treats a pair scored below `different_below` as two
    different facilities (see `clustering.py`) unless `links_per_difference` auto links per such pair
    outvote it; such a pair whose records share no location field (no two addresses, no two
    coordinates) weighs only `unlocated_difference_weight` of a difference, its low score resting on
    the names alone. `probes_per_record` random pairs per record inside each cluster of three or more
    records are scored after a first clustering (`chain_probes.py`), and `split_probes_per_record`
    per record of the smaller of two clusters the first clustering split although an auto link
    joins them, into the larger; a probe below `different_below` counts as a difference too. A group of
    records known by their names alone whose auto links reach several facilities joins the one holding
    more than `name_only_majority` of the links' weight unless its name reads closer to its own, and
    without a majority stays a facility of its own unless clearly closer to one (`name_only.py`; 0
    turns that off). The
    thresholds are chosen on the benchmark's development splits (see `benchmarks/train_match_model.py` and
    docs/benchmarks-entity-resolution.md).
    """

    auto_match_threshold: float = 0.7
    review_threshold: float = 0.45
    max_block_size: int = 20
    rare_name_tokens: int = 3
    rare_address_tokens: int = 1
    rare_name_grams: int = 3
    rare_name_pairs: int = 1
    neighbourhood_window: int = 3
    geo_cell_degrees: float = 0.02
    near_km: float = 1.0
    far_km: float = 50.0
    conflict_cap: float = 0.1
    min_name_similarity: float = 0.5
    different_below: float = 0.05
    links_per_difference: float = 4.0
    probes_per_record: int = 2
    unlocated_difference_weight: float = 0.5
    split_probes_per_record: int = 2
    name_only_majority: float = 0.5

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)
