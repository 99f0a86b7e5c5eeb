"""The one state machine of a list-screening hit, used by every surface that shows or changes a hit.

States:
- `candidate`: a fuzzy resemblance between a facility name and a listed entity; a lead for a person to
  review, scoring `match score x pending_hit_points` on list exposure.
- `confirmed`: the facility is the listed entity. Set by a person (`flrisk review-hit --confirm`) or,
  automatically, only when all of these hold (`status_reason` says which failed):
    1. the normalised names are identical (entity_resolution's normalisation after invisible and
       confusable characters are stripped; a name that held such characters is never auto-confirmed);
    2. the listed entry names a country and it is the facility's country;
    3. no other listed entity (a different normalised entity name) is equally close to that name.
  Confirmed scores 100 on list exposure, forces the band to critical and floors the score at the
  critical threshold.
- `dismissed`: a person said it is not the listed entity (`flrisk review-hit --reject`); still
  published, adds nothing.

Transitions: (screening) -> candidate | confirmed; candidate/confirmed -> confirmed | dismissed by a
person; the latest decision wins. `status_reason` says which rule put a hit in its state, and is
published beside the status so the facility profile, `review-hit --list`, the HTML report, exports and
the table itself all show the same thing.
"""

from __future__ import annotations

import polars as pl

CANDIDATE, CONFIRMED, DISMISSED = "candidate", "confirmed", "dismissed"
STATES = (CANDIDATE, CONFIRMED, DISMISSED)
AWAITING_REVIEW = (CANDIDATE,)
STATUS_OF_DECISION = {"confirmed": CONFIRMED, "rejected": DISMISSED}
REASON_IDENTICAL = "automatic: identical normalised name, same country, no equally close other entity"
REASON_FUZZY = "fuzzy match: awaiting review"
REASON_NOT_IDENTICAL = "candidate: names similar, not identical"
REASON_NO_COUNTRY = "candidate: identical name but the entry names no country or another country"
REASON_AMBIGUOUS = "candidate: identical name, but another listed entity is equally close"
REASON_HIDDEN = "candidate: the name holds invisible or confusable characters"


def auto_status(hits: pl.DataFrame) -> pl.DataFrame:
    """`hits` (with normalised, list_normalised, match_score, facility_country, entry_country,
    suspicious) plus `status` and `status_reason` by the automatic rule above."""
    key = ["facility_id", "screened_name"]
    best = pl.col("match_score").max().over(key)
    rivals = (
        pl.col("list_normalised").filter(pl.col("match_score") >= best).n_unique().over(key)
    )  # distinct listed entities at this name's best score
    identical = pl.col("normalised") == pl.col("list_normalised")
    same_country = pl.col("entry_country").is_not_null() & (
        pl.col("entry_country") == pl.col("facility_country")
    )
    reason = (
        pl.when(~identical)
        .then(pl.lit(REASON_NOT_IDENTICAL))
        .when(pl.col("suspicious"))
        .then(pl.lit(REASON_HIDDEN))
        .when(~same_country.fill_null(False))
        .then(pl.lit(REASON_NO_COUNTRY))
        .when(rivals > 1)
        .then(pl.lit(REASON_AMBIGUOUS))
        .otherwise(pl.lit(REASON_IDENTICAL))
    )
    return hits.with_columns(status_reason=reason).with_columns(
        status=pl.when(pl.col("status_reason") == REASON_IDENTICAL)
        .then(pl.lit(CONFIRMED))
        .otherwise(pl.lit(CANDIDATE))
    )
