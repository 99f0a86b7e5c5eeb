"""Property test of the k-anonymous worker-voice summary on random data sets (hypothesis).

For every generated data set: no published cell is below k, suppressed cells carry no counts and a
reason, no row or column total can give away a single suppressed cell by subtraction, and no
suppressed cell can be solved from every published cell plus every row and column total of its
facility (unless those totals fix it on their own, which no cell suppression can prevent).
The solvability check here is independent of the module's: a rank test instead of a null space.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk_model.worker_voice_summary import summarise

PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
INDICATORS = ["debt_bondage", "deception", "isolation", "excessive_overtime", "withholding_of_wages"]
LINKS = pl.DataFrame({"record_id": ["rA", "rB"], "facility_id": ["FLR-00000000000A", "FLR-00000000000B"]})


@st.composite
def data_sets(draw):
    """Random grievance cases and survey cells over two facilities, four quarters, five indicators."""
    grievances, surveys = [], []
    for record_id in draw(st.sampled_from([["rA"], ["rA", "rB"]])):
        periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=4, unique=True))
        indicators = draw(st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=5, unique=True))
        for period in periods:
            respondents = draw(st.integers(1, 40))
            for indicator in indicators:
                kind = draw(st.sampled_from(["none", "cases", "survey", "both"]))
                if kind in ("cases", "both"):
                    month = 3 * int(period[-1]) - 2
                    cases = draw(st.integers(1, 30))
                    grievances += [(record_id, date(2026, month, 1), indicator)] * cases
                if kind in ("survey", "both"):
                    reporting = draw(st.integers(0, respondents))
                    surveys.append((record_id, period, indicator, respondents, reporting))
    return grievances, surveys, draw(st.integers(2, 15))


def frames(grievances, surveys):
    grievance_frame = pl.DataFrame(
        grievances,
        schema={"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String},
        orient="row",
    )
    survey_schema = {
        "record_id": pl.String,
        "survey_period": pl.String,
        "ilo_indicator": pl.String,
        "respondents": pl.Int64,
        "respondents_reporting": pl.Int64,
    }
    return grievance_frame, pl.DataFrame(surveys, schema=survey_schema, orient="row")


def solvable(cells: list[tuple[str, str]], hidden: list[bool]) -> set[int]:
    """Hidden cells whose value the row and column totals fix: the unit vector is in the row space."""
    unknown = [i for i, flag in enumerate(hidden) if flag]
    lines = sorted({("row", cells[i][0]) for i in unknown} | {("column", cells[i][1]) for i in unknown})
    matrix = np.array(
        [
            [1.0 if cells[i][0 if kind == "row" else 1] == name else 0.0 for i in unknown]
            for kind, name in lines
        ]
    ).reshape(len(lines), len(unknown))
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for column, index in enumerate(unknown):
        unit = np.zeros((1, len(unknown)))
        unit[0, column] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(index)
    return found


def assert_no_suppressed_cell_is_derivable(facility: pl.DataFrame) -> None:
    cells = list(zip(facility["period"], facility["ilo_indicator"], strict=True))
    hidden = facility["suppressed"].to_list()
    for axis in (0, 1):
        for line in {cell[axis] for cell in cells}:
            members = [flag for cell, flag in zip(cells, hidden, strict=True) if cell[axis] == line]
            assert not (sum(members) == 1 and len(members) > 1), f"one suppressed cell alone in {line}"
    by_totals_alone = solvable(cells, [True] * len(cells))
    leaked = solvable(cells, hidden) - by_totals_alone
    assert not leaked, facility[sorted(leaked)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_sets())
def test_no_published_cell_is_below_k_and_no_suppressed_value_is_derivable(data):
    grievances, surveys, k = data
    summary = summarise(*frames(grievances, surveys), LINKS, k)
    published = summary.filter(~pl.col("suppressed"))
    assert published.filter((pl.col("respondents") < k) | (pl.col("grievance_cases") < k)).is_empty()
    hidden = summary.filter(pl.col("suppressed"))
    assert (
        hidden.select("respondents", "reporting", "grievance_cases").null_count().row(0)
        == (hidden.height,) * 3
    )
    assert (
        hidden["suppression_reason"].null_count() == 0
        and published["suppression_reason"].null_count() == published.height
    )
    for facility in summary.partition_by("facility_id"):
        assert_no_suppressed_cell_is_derivable(facility)


def test_a_cell_bridging_two_hidden_blocks_gets_a_complement():
    """Two 2x2 blocks of small cells joined by one more small cell: the joining cell would be solvable
    from all totals (each block's totals cancel out) although every row and column has two hidden cells."""
    small = [
        ("2026-Q1", "debt_bondage"),
        ("2026-Q1", "deception"),
        ("2026-Q2", "debt_bondage"),
        ("2026-Q2", "deception"),
        ("2026-Q3", "isolation"),
        ("2026-Q3", "excessive_overtime"),
        ("2026-Q4", "isolation"),
        ("2026-Q4", "excessive_overtime"),
        ("2026-Q2", "isolation"),
    ]
    big = [(p, i) for p in PERIODS for i in INDICATORS[:4] if (p, i) not in small]
    grievances = [("rA", date(2026, 3 * int(p[-1]) - 2, 1), i) for p, i in small for _ in range(2)]
    grievances += [("rA", date(2026, 3 * int(p[-1]) - 2, 1), i) for p, i in big for _ in range(20)]
    summary = summarise(*frames(grievances, []), LINKS, 11)
    assert summary.filter(pl.col("suppression_reason") == "below_k").height == len(small)
    assert summary.filter(pl.col("suppression_reason") == "complementary").height >= 1
    assert_no_suppressed_cell_is_derivable(summary)
