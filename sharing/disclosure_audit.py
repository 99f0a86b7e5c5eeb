"""The disclosure audit: attack the published worker-voice numbers the way a curious reader would.

Run on every publish (a blocking check in `assets.risk`) and by `flrisk audit-disclosure`. A release is
the published summary (`worker_voice_summary`), the drivers (`facility_risk_drivers`) and, for the
workforce behind grievance rates, `resolved.facilities`. The audit fails naming the cell when:

- **threshold**: a published count (summary cell, a number in a driver text) stands for 1 to k - 1
  people, or is not rounded to the published rounding;
- **dates**: a worker-voice driver's evidence date is not coarsened to the first of a month;
- **recomputation**: a driver's points give back a count that is not a published one (grievance points
  x workforce / rate; survey points x respondents / share points), or a survey driver rests on a cell
  the summary suppresses;
- **subtraction**: given every published number of this release and the previous one as intervals
  (a rounded count c means c - rounding + 1 .. c; an unrounded one is exact) and the totals the drivers
  publish (a grievance driver is the sum of its indicator's periods), a linear programme bounds every
  suppressed cell; a cell whose bounds leave one positive integer is recoverable (learning that a
  cell holds nobody identifies no one). The previous release is assumed
  unchanged where it covers the same cell (the strongest attacker); if that contradicts the current
  release, the previous release is left out for that facility.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

MEASURES = ("grievance_cases", "respondents", "reporting")
_GRIEVANCE = re.compile(r"(\d+) worker grievances on (.+?) \(")
_SURVEY = re.compile(r"(?:(\d+) of )?(?:about )?(\d+) surveyed workers report (.+?) \((\d{4}-Q[1-4])\)")
_NOT_COUNTS = re.compile(r"\d{4}-Q[1-4]|\d+(?:\.\d+)? per 100 workers|\d+(?:\.\d+)?%")
_INTEGER = re.compile(r"(?<![\d.])\d+(?![\d.])")
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class DisclosureRules:
    """k, the rounding of published counts and the point rates that turn counts into points."""

    k: int
    rounding: int
    grievance_rate: float
    survey_share_points: float
    default_workforce: float

    @classmethod
    def from_parameters(cls, rule: dict) -> DisclosureRules:
        """From the `worker_voice` block of the risk parameters."""
        return cls(
            k=int(rule["k_anonymity"]),
            rounding=int(rule.get("count_rounding", 5)),
            grievance_rate=float(rule["grievance_points_per_case_per_100_workers"]),
            survey_share_points=float(rule["survey_share_points"]),
            default_workforce=float(rule["default_workforce"]),
        )


@dataclass(frozen=True)
class Release:
    """The published worker-voice numbers of one release."""

    summary: pl.DataFrame
    drivers: pl.DataFrame
    facilities: pl.DataFrame | None = None

    def voice_drivers(self) -> pl.DataFrame:
        return self.drivers.filter(pl.col("component") == "worker_voice")


def audit_disclosure(current: Release, rules: DisclosureRules, previous: Release | None = None) -> list[str]:
    """Every finding (one line naming the table and cell); empty when the release is safe."""
    return (
        threshold_findings(current, rules)
        + recomputation_findings(current, rules)
        + subtraction_findings(current, rules, previous)
    )


def _cell_name(facility: str, period: str, indicator: str) -> str:
    return f"facility {facility} period {period} indicator {indicator}"


def _bad_count(value: int, rules: DisclosureRules) -> str | None:
    if 0 < value < rules.k:
        return f"{value} is below k = {rules.k}"
    if value % rules.rounding:
        return f"{value} is not rounded to {rules.rounding}"
    return None


def threshold_findings(release: Release, rules: DisclosureRules) -> list[str]:
    """Published counts below k or unrounded; driver dates finer than a month."""
    findings = []
    for row in release.summary.filter(~pl.col("suppressed")).iter_rows(named=True):
        for measure in MEASURES:
            if row[measure] is not None and (problem := _bad_count(int(row[measure]), rules)):
                cell = _cell_name(row["facility_id"], row["period"], row["ilo_indicator"])
                findings.append(f"published.worker_voice_summary {cell}: {measure} {problem}")
    for row in release.voice_drivers().iter_rows(named=True):
        where = f"published.facility_risk_drivers facility {row['facility_id']} ({row['description']!r})"
        for number in _INTEGER.findall(_NOT_COUNTS.sub("", row["description"] or "")):
            if problem := _bad_count(int(number), rules):
                findings.append(f"{where}: count {problem}")
        if row["evidence_date"] is not None and row["evidence_date"].day != 1:
            findings.append(f"{where}: evidence_date {row['evidence_date']} is not coarsened to the month")
    return findings


def _workforce(release: Release, rules: DisclosureRules) -> dict[str, float]:
    if release.facilities is None or "workers_max" not in release.facilities.columns:
        return {}
    frame = release.facilities.select(
        "facility_id", pl.coalesce("workers_max", "workers_min").cast(pl.Float64).alias("workers")
    )
    return {facility: workers for facility, workers in frame.iter_rows() if workers is not None}


def _is_integer(value: float) -> bool:
    return abs(value - round(value)) < _TOLERANCE


def recomputation_findings(release: Release, rules: DisclosureRules) -> list[str]:
    """Counts recomputed from driver points that no published number stands for."""
    findings, workforce = [], _workforce(release, rules)
    suppressed = {
        (f, p, i)
        for f, p, i in release.summary.filter(pl.col("suppressed"))
        .select("facility_id", "period", "ilo_indicator")
        .iter_rows()
    }
    for row in release.voice_drivers().iter_rows(named=True):
        facility, text, points = row["facility_id"], row["description"] or "", float(row["points"] or 0)
        where = f"published.facility_risk_drivers facility {facility} ({text!r})"
        if points >= 100:
            continue  # clipped: the points say nothing exact
        if _GRIEVANCE.search(text):
            workers = workforce.get(facility, rules.default_workforce)
            implied = points / rules.grievance_rate * max(workers / 100, 1)
            if _is_integer(implied) and (problem := _bad_count(round(implied), rules)):
                findings.append(f"{where}: points give back a case count; {problem}")
        elif match := _SURVEY.search(text):
            respondents, indicator, period = int(match[2]), match[3].replace(" ", "_"), match[4]
            if (facility, period, indicator) in suppressed:
                cell = _cell_name(facility, period, indicator)
                findings.append(f"{where}: rests on a suppressed cell {cell}")
            implied = points / rules.survey_share_points * respondents
            if _is_integer(implied) and (problem := _bad_count(round(implied), rules)):
                findings.append(f"{where}: points x respondents give back reporting; {problem}")
    return findings


def _interval(value: int, rules: DisclosureRules) -> tuple[float, float]:
    """What a published count tells: a rounded count a range below it, any other count itself."""
    if value > 0 and value % rules.rounding == 0:
        return float(value - rules.rounding + 1), float(value)
    return float(value), float(value)


def _constraints(release: Release, facility: str, measure: str, rules: DisclosureRules) -> list:
    """(cells, low, high): the sum of the cells (period, indicator) lies in [low, high]."""
    found = []
    for row in release.summary.filter(pl.col("facility_id") == facility).iter_rows(named=True):
        if row["suppressed"]:
            continue
        cell = (row["period"], row["ilo_indicator"])
        value = row[measure]
        found.append(([cell], *(_interval(int(value), rules) if value is not None else (0.0, 0.0))))
    periods: dict[str, list[str]] = {}
    for period, indicator in (
        release.summary.filter(pl.col("facility_id") == facility)
        .select("period", "ilo_indicator")
        .iter_rows()
    ):
        periods.setdefault(indicator, []).append(period)
    for row in release.voice_drivers().filter(pl.col("facility_id") == facility).iter_rows(named=True):
        text = row["description"] or ""
        if measure == "grievance_cases" and (match := _GRIEVANCE.search(text)):
            indicator = match[2].replace(" ", "_")
            cells = [(period, indicator) for period in periods.get(indicator, [])]
            if cells:
                found.append((cells, *_interval(int(match[1]), rules)))
        elif measure != "grievance_cases" and (match := _SURVEY.search(text)):
            cell = (match[4], match[3].replace(" ", "_"))
            number = match[2] if measure == "respondents" else match[1]
            if number is not None:
                found.append(([cell], *_interval(int(number), rules)))
    return found


def _bounds(cells: list, constraints: list, target: int) -> tuple[float, float] | None:
    """Min and max of cell `target` under the constraints; None when infeasible."""
    from scipy.optimize import linprog  # ~0.5 s to import; most runs have no suppressed cell to bound

    index = {cell: n for n, cell in enumerate(cells)}
    rows, limits = [], []
    for members, low, high in constraints:
        vector = [0.0] * len(cells)
        for cell in members:
            if cell in index:
                vector[index[cell]] = 1.0
        rows += [vector, [-v for v in vector]]
        limits += [high, -low]
    result = []
    for sign in (1.0, -1.0):
        objective = [0.0] * len(cells)
        objective[target] = sign
        solved = linprog(objective, A_ub=rows, b_ub=limits, bounds=(0, None), method="highs")
        if solved.status == 2:
            return None
        result.append(sign * solved.fun if solved.status == 0 else math.inf)
    return result[0], result[1]


def subtraction_findings(
    current: Release, rules: DisclosureRules, previous: Release | None = None
) -> list[str]:
    """Suppressed cells the published numbers (and the previous release's) pin to one value."""
    findings = []
    hidden = current.summary.filter(pl.col("suppressed"))
    for facility in sorted(set(hidden["facility_id"].to_list())):
        targets = [
            (p, i)
            for p, i in hidden.filter(pl.col("facility_id") == facility)
            .select("period", "ilo_indicator")
            .iter_rows()
        ]
        for measure in MEASURES:
            findings += _facility_findings(current, previous, facility, measure, targets, rules)
    return findings


def _facility_findings(
    current: Release, previous: Release | None, facility: str, measure: str, targets: list, rules
) -> list[str]:
    constraints = _constraints(current, facility, measure, rules)
    if previous is not None:
        constraints += _constraints(previous, facility, measure, rules)
    cells = sorted({cell for members, _, _ in constraints for cell in members} | set(targets))
    findings = []
    for target in targets:
        if not any(target in members for members, _, _ in constraints):
            continue
        bounds = _bounds(cells, constraints, cells.index(target))
        if bounds is None and previous is not None:  # the previous release contradicts this one
            constraints = _constraints(current, facility, measure, rules)
            bounds = _bounds(cells, constraints, cells.index(target))
        if bounds is None or math.isinf(bounds[1]):
            continue
        low, high = math.ceil(bounds[0] - _TOLERANCE), math.floor(bounds[1] + _TOLERANCE)
        if low == high and low > 0:  # learning that nobody is in a cell identifies no one
            cell = _cell_name(facility, *target)
            findings.append(
                f"published.worker_voice_summary {cell}: suppressed {measure} is recoverable "
                f"(= {low}) from the published tables"
            )
    return findings
