"""Scoring: features per candidate pair, the calibrated model, then the hard-evidence rules.

Pairs whose names are far apart (best name similarity below `min_name_similarity`) and that share
neither an OS ID nor a location are dismissed after the two cheap name comparisons: they keep
only (left, right, match_score = 0), which still tells clustering they are different facilities.
For the rest, match_score = the model's probability (see `model.py`), except: equal OS IDs score
1.0 (OS Hub says they are one facility); different OS IDs, unit numbers or other numbers in the
names cap the score at `conflict_cap`, below the review band, so they never merge; so does a name
that names no firm ("Co., Ltd.", `normalise.names_no_firm`) on either side: it is no evidence.
The model's log-odds of a pair that rests on the names alone are lowered the more names of its country
carry the rarest word the two share (`name_frequency.py`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz

from entity_resolution.blocking import GEO_CELL_BIT
from entity_resolution.features import CHUNK_PAIRS, pair_features, pairwise, with_sorted_words
from entity_resolution.model import MatchModel, load_model
from entity_resolution.name_frequency import name_only, rarest_shared_count, word_counts
from entity_resolution.normalise import names_no_firm
from entity_resolution.settings import ResolutionSettings
from entity_resolution.text_codes import (
    NAME_CODE,
    distinct_pairs,
    present_codes,
    representatives,
    with_text_codes,
)

SCORING_THREADS = 2
"""Chunks of pairs scored at once: most of a chunk's work is in Polars, numpy and rapidfuzz, which
release the GIL, so two chunks overlap on two cores."""


@dataclass(frozen=True)
class ScoredPairs:
    """`scored`: fully scored pairs with every feature; `dismissed`: (left, right) scored 0."""

    scored: pl.DataFrame
    dismissed: pl.DataFrame

    def all_scores(self) -> pl.DataFrame:
        """(left, right, match_score) of every candidate pair."""
        return pl.concat(
            [
                self.scored.select("left", "right", "match_score"),
                self.dismissed.select("left", "right", pl.lit(0.0).alias("match_score")),
            ]
        )


def worth_scoring(records: pl.DataFrame, pairs: pl.DataFrame, settings: ResolutionSettings) -> np.ndarray:
    """Pairs with a close enough name (token set, or the names with spaces removed, which catches
    broken and syllable spacing), or the same OS ID, or the same geographic cell."""
    records = with_text_codes(records)
    return _worth(records, pairs, settings, _name_similarities(records, pairs))


def _worth(
    records: pl.DataFrame, pairs: pl.DataFrame, settings: ResolutionSettings, similar: dict[str, np.ndarray]
) -> np.ndarray:
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    similarity = np.maximum(similar["name_set"], similar["name_compact"])
    os_ids = records["os_id"]
    same_id = (os_ids.gather(left) == os_ids.gather(right)).fill_null(False).to_numpy()
    located = (pairs["pass_mask"].to_numpy() & GEO_CELL_BIT) > 0
    return (similarity >= settings.min_name_similarity) | same_id | located


def _name_similarities(records: pl.DataFrame, pairs: pl.DataFrame) -> dict[str, np.ndarray]:
    """Per pair, the token-set ratio of the normalised names and the ratio of the names with spaces
    removed, computed once per distinct pair of names (`text_codes`). The same two values are the
    `name_set` and `name_compact` features of every pair whose names have no broken spacing, so
    scoring reuses them."""
    codes = records[NAME_CODE].to_numpy()
    first = representatives(codes)
    unique_l, unique_r, inverse = distinct_pairs(
        codes[pairs["left"].to_numpy()], codes[pairs["right"].to_numpy()]
    )
    used, unique_l, unique_r = present_codes(unique_l, unique_r)  # the names these pairs hold
    distinct = records["name_norm"].gather(first[used])  # one name per code
    names = np.asarray(distinct.to_list(), dtype=object)  # gathered below as objects, not in Polars
    compact = np.asarray(distinct.str.replace_all(" ", "").to_list(), dtype=object)
    token_set, spaceless = np.zeros(len(unique_l)), np.zeros(len(unique_l))
    for i in range(0, len(unique_l), CHUNK_PAIRS):
        chunk_l, chunk_r = unique_l[i : i + CHUNK_PAIRS], unique_r[i : i + CHUNK_PAIRS]
        token_set[i : i + CHUNK_PAIRS] = pairwise(names[chunk_l], names[chunk_r], fuzz.token_set_ratio)
        spaceless[i : i + CHUNK_PAIRS] = pairwise(compact[chunk_l], compact[chunk_r], fuzz.ratio)
    return {"name_set": token_set[inverse], "name_compact": spaceless[inverse]}


KEPT = (
    "left",
    "right",
    "match_score",
    "model_score",
    "name_sort",
    "name_set",
    "address_set",
    "address_missing",
    "distance_km",
    "os_id_match",
)
"""Columns kept per scored pair: the scores and the features that links and the review queue explain."""


def score_pairs(
    records: pl.DataFrame, pairs: pl.DataFrame, settings: ResolutionSettings, model: MatchModel | None = None
) -> ScoredPairs:
    """Score every candidate pair (`left`, `right` record indexes), `SCORING_THREADS` chunks of pairs at
    a time, so that the full feature table of every pair is never held at once; the chunks' results
    are joined in pair order, whichever thread finishes first."""
    records = with_sorted_words(with_text_codes(records)).with_columns(  # once for every chunk
        no_firm=pl.Series(names_no_firm(records["name_norm"]), dtype=pl.Boolean)
    )
    similar = _name_similarities(records, pairs)
    keep = _worth(records, pairs, settings, similar) if pairs.height else np.zeros(0, dtype=bool)
    kept, model = pairs.filter(pl.Series(keep)), model or load_model()
    known = {name: values[keep] for name, values in similar.items()}
    counts = word_counts(records)

    def chunk(start: int) -> pl.DataFrame:
        return _scored_chunk(
            records,
            kept.slice(start, CHUNK_PAIRS),
            settings,
            model,
            {name: values[start : start + CHUNK_PAIRS] for name, values in known.items()},
            counts,
        )

    with ThreadPoolExecutor(max_workers=SCORING_THREADS) as threads:
        parts = list(threads.map(chunk, range(0, kept.height, CHUNK_PAIRS)))
    scored = pl.concat(parts) if parts else _scored_chunk(records, kept, settings, model, known, counts)
    return ScoredPairs(scored, pairs.filter(~pl.Series(keep)).select("left", "right"))


def _scored_chunk(
    records: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: ResolutionSettings,
    model: MatchModel,
    known: dict[str, np.ndarray],
    counts: pl.DataFrame,
) -> pl.DataFrame:
    features = pair_features(records, pairs, settings, known)
    probability = _probability(records, features, model, counts) if features.height else []
    conflict = (pl.col("os_id_conflict") + pl.col("unit_conflict") + pl.col("number_conflict")) > 0
    no_firm = records["no_firm"].to_numpy()
    nameless = no_firm[features["left"].to_numpy()] | no_firm[features["right"].to_numpy()]
    conflict = conflict | pl.lit(pl.Series(nameless, dtype=pl.Boolean))
    scored = features.with_columns(model_score=pl.Series(probability, dtype=pl.Float64)).with_columns(
        match_score=pl.when(pl.col("os_id_match") > 0)
        .then(1.0)
        .when(conflict)
        .then(pl.min_horizontal("model_score", pl.lit(settings.conflict_cap)))
        .otherwise(pl.col("model_score"))
        .round(4)
    )
    return scored.select(KEPT)


def _probability(
    records: pl.DataFrame, features: pl.DataFrame, model: MatchModel, counts: pl.DataFrame
) -> np.ndarray:
    """The model's probability, its log-odds shifted for name-only pairs by how common their rarest
    shared word is (`name_frequency`)."""
    logits = model.logits(features)
    alone = np.flatnonzero(name_only(features))
    if alone.size and model.name_frequency.strength:
        left, right = features["left"].to_numpy()[alone], features["right"].to_numpy()[alone]
        shared = rarest_shared_count(records, left, right, counts)
        logits[alone] += model.name_frequency.logit_shift(shared)
    return 1.0 / (1.0 + np.exp(-logits))
