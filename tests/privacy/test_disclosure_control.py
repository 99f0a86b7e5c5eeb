"""Disclosure control of published worker-voice numbers (issue 17): k for numerators too, rounded counts,
month dates, drivers that rest only on published cells, and an audit that names a leaking cell.

The property test draws random grievance and survey data over two facilities, builds the summary and
the drivers exactly as the risk model publishes them, and checks with the audit's linear-programming
attacker (this release and a previous one) and with direct rules that no published number stands for
fewer than k people and no suppressed cell can be recovered. The negative controls feed the audit the
drivers flrisk published before issue 17 and check that it names the cell.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk_model.inputs import RiskInputs
from risk_model.parameters import load_parameters
from risk_model.worker_voice import worker_voice_component
from risk_model.worker_voice_summary import summarise
from sharing.disclosure_audit import DisclosureRules, Release, audit_disclosure

PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
INDICATORS = ["debt_bondage", "deception", "isolation", "excessive_overtime"]
PARAMS = load_parameters()
RULES = DisclosureRules.from_parameters(PARAMS["worker_voice"])
FACILITIES = pl.DataFrame(
    {"facility_id": ["F-A", "F-B"], "workers_min": [None, 120], "workers_max": [None, 120]},
    schema={"facility_id": pl.String, "workers_min": pl.Int64, "workers_max": pl.Int64},
)
LINKS = pl.DataFrame({"record_id": ["rA", "rB"], "facility_id": ["F-A", "F-B"]})
GRIEVANCE_SCHEMA = {"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String}
SURVEY_SCHEMA = {
    "record_id": pl.String,
    "survey_period": pl.String,
    "ilo_indicator": pl.String,
    "respondents": pl.Int64,
    "respondents_reporting": pl.Int64,
}


def inputs(grievances: list, surveys: list) -> RiskInputs:
    empty = pl.DataFrame()
    return RiskInputs(
        facilities=FACILITIES,
        record_links=LINKS,
        audit_findings=empty,
        grievances=pl.DataFrame(grievances, schema=GRIEVANCE_SCHEMA, orient="row"),
        surveys=pl.DataFrame(surveys, schema=SURVEY_SCHEMA, orient="row"),
        dol_goods=empty,
        entity_lists=empty,
        as_of=date(2026, 11, 23),
    )


def release(grievances: list, surveys: list) -> Release:
    world = inputs(grievances, surveys)
    drivers, _ = worker_voice_component(world, PARAMS)
    summary = summarise(world.grievances, world.surveys, LINKS, RULES.k, RULES.rounding)
    return Release(summary, drivers, FACILITIES)


@st.composite
def data_sets(draw):
    grievances, surveys = [], []
    for record_id in draw(st.sampled_from([["rA"], ["rA", "rB"]])):
        periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=4, unique=True))
        indicators = draw(st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=4, unique=True))
        for period in periods:
            respondents = draw(st.integers(1, 60))
            for indicator in indicators:
                kind = draw(st.sampled_from(["none", "cases", "survey", "both"]))
                if kind in ("cases", "both"):
                    day = date(2026, 3 * int(period[-1]) - 2, draw(st.integers(1, 28)))
                    grievances += [(record_id, day, indicator)] * draw(st.integers(1, 30))
                if kind in ("survey", "both"):
                    reporting = draw(st.integers(0, respondents))
                    surveys.append((record_id, period, indicator, respondents, reporting))
    extra = draw(st.integers(0, 3))  # the next release: a few more cases on one cell
    return grievances, surveys, extra


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_sets())
def test_no_published_number_below_k_and_no_suppressed_cell_recoverable(data):
    grievances, surveys, extra = data
    current = release(grievances, surveys)
    assert audit_disclosure(current, RULES) == []
    published = current.summary.filter(~pl.col("suppressed"))
    for measure in ("respondents", "reporting", "grievance_cases"):
        values = published[measure].drop_nulls().to_list()
        assert all(v == 0 or (v >= RULES.k and v % RULES.rounding == 0) for v in values), measure
    voice = current.voice_drivers()
    assert all(day.day == 1 for day in voice["evidence_date"].drop_nulls().to_list())
    later = release(grievances + [grievances[0]] * extra if grievances else [], surveys)
    assert audit_disclosure(later, RULES, previous=current) == []


def leaky_release() -> Release:
    """The pre-issue-17 shape: a survey cell suppressed in the summary but published in a driver with
    its exact respondents and points = share x 200 (one worker of 127 reports debt bondage)."""
    summary = pl.DataFrame(
        {
            "facility_id": ["F-A", "F-A"],
            "period": ["2026-Q1", "2026-Q2"],
            "ilo_indicator": ["debt_bondage", "debt_bondage"],
            "respondents": [None, 130],
            "reporting": [None, 15],
            "grievance_cases": [None, None],
            "suppressed": [True, False],
            "suppression_reason": ["complementary", None],
            "k_threshold": [11, 11],
        }
    )
    drivers = pl.DataFrame(
        {
            "facility_id": ["F-A"],
            "component": ["worker_voice"],
            "points": [200 / 127],
            "description": ["1.0% of 127 surveyed workers report debt bondage (2026-Q1)"],
            "evidence_date": [None],
        },
        schema_overrides={"evidence_date": pl.Date},
    )
    return Release(summary, drivers, FACILITIES)


def test_the_audit_names_a_cell_recovered_from_driver_points():
    findings = audit_disclosure(leaky_release(), RULES)
    text = "\n".join(findings)
    assert "rests on a suppressed cell facility F-A period 2026-Q1 indicator debt_bondage" in text
    assert "points x respondents give back reporting; 1 is below k = 11" in text
    assert "suppressed respondents is recoverable (= 127)" in text
    assert "count 127 is not rounded to 5" in text


def test_the_audit_catches_an_exact_grievance_count_and_a_day_date():
    drivers = pl.DataFrame(
        {
            "facility_id": ["F-A"],
            "component": ["worker_voice"],
            "points": [24 / 5 * 20],
            "description": ["24 worker grievances on isolation (4.8 per 100 workers)"],
            "evidence_date": [date(2026, 5, 17)],
        }
    )
    summary = pl.DataFrame(
        {
            "facility_id": ["F-A", "F-A"],
            "period": ["2026-Q1", "2026-Q2"],
            "ilo_indicator": ["isolation", "isolation"],
            "respondents": [None, None],
            "reporting": [None, None],
            "grievance_cases": [None, 20],
            "suppressed": [True, False],
            "suppression_reason": ["below_k", None],
            "k_threshold": [11, 11],
        },
        schema_overrides={"respondents": pl.Int64, "reporting": pl.Int64},
    )
    findings = "\n".join(audit_disclosure(Release(summary, drivers, FACILITIES), RULES))
    assert "count 24 is not rounded to 5" in findings
    assert "evidence_date 2026-05-17 is not coarsened to the month" in findings
    assert "points give back a case count; 24 is not rounded to 5" in findings


def test_the_audit_subtracts_across_releases():
    """A cell published exactly last release and suppressed now is recovered from the previous one."""
    current = leaky_release()
    first = pl.col("period") == "2026-Q1"
    previous_summary = current.summary.with_columns(
        respondents=pl.when(first).then(12).otherwise(pl.col("respondents")),
        reporting=pl.when(first).then(1).otherwise(pl.col("reporting")),
        suppressed=pl.lit(False),
    )
    previous = Release(previous_summary, current.drivers.clear(), FACILITIES)
    clean_now = Release(current.summary, current.drivers.clear(), FACILITIES)
    findings = "\n".join(audit_disclosure(clean_now, RULES, previous=previous))
    assert "period 2026-Q1 indicator debt_bondage: suppressed respondents is recoverable (= 12)" in findings


def test_survey_numerators_below_k_are_suppressed_and_drivers_use_rounded_counts():
    one_worker = release([], [("rA", "2026-Q1", "debt_bondage", 127, 1)])
    six_do_not = release([], [("rA", "2026-Q1", "deception", 131, 125)])
    for current in (one_worker, six_do_not):
        assert current.summary["suppression_reason"].to_list() == ["below_k"]
        assert current.voice_drivers().is_empty()
    current = release([], [("rA", "2026-Q2", "debt_bondage", 131, 40)])
    drivers = current.voice_drivers()
    assert drivers["description"].to_list() == [
        "about 40 of about 135 surveyed workers report debt bondage (2026-Q2)"
    ]
    assert drivers["points"].item() == 40 / 135 * PARAMS["worker_voice"]["survey_share_points"]
    assert current.summary.select("respondents", "reporting").row(0) == (135, 40)


def test_grievance_drivers_round_counts_and_coarsen_dates():
    grievances = [("rA", date(2026, 4, d), "isolation") for d in range(1, 25)]
    drivers = release(grievances, []).voice_drivers()
    assert drivers["description"].to_list() == [
        "about 25 worker grievances on isolation (5.0 per 100 workers)"
    ]
    assert drivers["evidence_date"].to_list() == [date(2026, 4, 1)]
    one_more = release([*grievances, ("rA", date(2026, 4, 28), "isolation")], []).voice_drivers()
    assert one_more.select("description", "points", "evidence_date").equals(
        drivers.select("description", "points", "evidence_date")
    )
