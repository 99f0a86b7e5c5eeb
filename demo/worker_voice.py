"""SYNTHETIC worker-voice data: grievance cases (with fake personal data) and survey aggregates.

reporter_id, reporter_phone and narrative are deliberately filled with fake personal details
("W-48213", "+86 138 0013 8123") so the pipeline's removal of sensitive fields can be tested.
Phone numbers follow fixed fictional patterns (for most countries the UK drama range +44 7700 900xxx).
Each facility has one label the programme uses for it, written with occasional variation.
"""

from __future__ import annotations

import datetime as dt
import random

from demo import variants
from demo.facilities import Facility, rng_for
from demo.output import Truth

GRIEVANCE_PATH = "worker_voice/grievance_cases.csv"
SURVEY_PATH = "worker_voice/survey_aggregates.csv"
GRIEVANCE_HEADER = [
    "case_id",
    "reporter_id",
    "reporter_phone",
    "facility_name",
    "facility_country",
    "received_date",
    "channel",
    "category",
    "narrative",
    "status",
]
SURVEY_HEADER = [
    "facility_name",
    "facility_country",
    "survey_period",
    "indicator",
    "respondents",
    "respondents_reporting",
]
PHONE_PATTERNS = {
    "CN": "+86 138 0013 8{0:03d}",
    "BD": "+880 1700 000{0:03d}",
    "VN": "+84 90 000 0{0:03d}",
    "IN": "+91 90000 00{0:03d}",
}
HIGH_CATEGORIES = {
    "SYN-HIGH-RISK": [
        "Passport retention",
        "Restricted freedom of movement",
        "Recruitment fees",
        "Forced overtime",
        "Threats of dismissal",
        "Isolated worksite",
    ],
    "SYN-MH-BD": ["Excessive working hours", "Forced overtime", "Threats of dismissal", "Harassment"],
    "SYN-MH-VN": ["Wage deductions", "Delayed wages", "Excessive working hours"],
    "SYN-MH-CN": ["Recruitment fees", "Migrant worker vulnerability", "Substandard dormitories"],
    "SYN-MH-IN": [
        "Restricted freedom of movement",
        "Recruitment fees",
        "Deceptive recruitment",
        "Substandard dormitories",
    ],
}
ORDINARY_CATEGORIES = {
    "Excessive working hours": 25,
    "Delayed wages": 15,
    "Health and safety": 20,
    "Harassment": 10,
    "Wage deductions": 10,
    "Fire safety": 5,
    "Management systems": 5,
    "Substandard dormitories": 5,
}
NARRATIVES = {
    "Passport retention": "{who} says HR kept {their} passport since {month} and refuses to "
    "return it before contract end.",
    "Restricted freedom of movement": "{who} reports the gate is locked after shift; workers "
    "need a signed slip to go to town.",
    "Recruitment fees": "{who} paid {amount} to an agent for this job and still owes part of it.",
    "Forced overtime": "{who} was told overtime is compulsory; refusing means losing the monthly bonus.",
    "Threats of dismissal": "{who} says supervisor threatened to fire anyone who talks to auditors.",
    "Isolated worksite": "{who} says the only bus to the site belongs to the company.",
    "Excessive working hours": "{who} worked {hours} hours last week with no rest day.",
    "Wage deductions": "{who} had {amount} deducted for uniform and meals this month.",
    "Delayed wages": "{who} has not received wages for {month}.",
    "Harassment": "{who} reports shouting and insults from line leader.",
    "Migrant worker vulnerability": "{who} cannot read {their} contract; it is not in {their} language.",
    "Deceptive recruitment": "{who} was promised a higher wage than the contract states.",
    "Substandard dormitories": "{who} shares a dorm room with {n} others; no fan, toilets broken.",
    "Health and safety": "{who} says masks are not provided in the spraying section.",
    "Fire safety": "{who} reports the fire exit on floor {floor} is locked during shifts.",
    "Management systems": "{who} does not know how to raise a complaint internally.",
}
INDICATORS = [
    "restriction_of_movement",
    "retention_of_identity_documents",
    "withholding_of_wages",
    "debt_bondage",
    "excessive_overtime",
    "intimidation_and_threats",
]
SURVEY_SHARES = {
    "SYN-HIGH-RISK": [0.62, 0.71, 0.35, 0.44, 0.58, 0.39],
    "SYN-MH-BD": [0.05, 0.02, 0.12, 0.04, 0.41, 0.22],
    "SYN-MH-VN": [0.03, 0.01, 0.33, 0.05, 0.18, 0.06],
    "SYN-MH-CN": [0.08, 0.06, 0.10, 0.29, 0.15, 0.07],
    "SYN-MH-IN": [0.36, 0.12, 0.14, 0.31, 0.20, 0.10],
}
SMALL_RESPONDENTS = [5, 7, 8, 9, 10]


def programme_label(facility: Facility, rng: random.Random) -> str:
    """Return the label a worker-voice programme keeps for the facility (short, no legal form)."""
    label = facility.name
    for _, pattern in variants.LEGAL_PATTERNS:
        label = pattern.sub("", label).rstrip(" ,.")
    label = label or facility.name
    if facility.key == "SYN-HIGH-RISK":
        return "Hotan Taida Apparel"
    return label if rng.random() < 0.6 else facility.name


def phone(country: str, rng: random.Random) -> str:
    """Return a fake phone number in a fictional pattern for the country."""
    return PHONE_PATTERNS.get(country, "+44 7700 900{0:03d}").format(rng.randint(0, 999))


def grievance_rows(grievances: list[tuple[Facility, int]], truth: Truth) -> list[list[str]]:
    """Return grievance cases sorted by date with sequential case ids, plus two bad rows."""
    rng = rng_for("grievances")
    reporters = [f"W-{rng.randint(10000, 99999)}" for _ in range(420)]
    cases = []
    for facility, count in grievances:
        label = programme_label(facility, rng)
        country = (
            facility.country_code
            if rng.random() < 0.7
            else variants.country_spelling(facility.country_code, rng, "name")
        )
        categories = HIGH_CATEGORIES.get(facility.key)
        for _ in range(count):
            category = (
                rng.choice(categories)
                if categories
                else rng.choices(list(ORDINARY_CATEGORIES), list(ORDINARY_CATEGORIES.values()))[0]
            )
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 668))
            if facility.key == "SYN-HIGH-RISK":
                day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 290))
            name = label if rng.random() < 0.85 else variants.change_case(label, rng)
            cases.append((day, facility, name, country, category))
    cases.sort(key=lambda case: (case[0], case[1].key, case[4]))
    rows = []
    for number, (day, facility, name, country, category) in enumerate(cases, start=1):
        reporter, tel = rng.choice(reporters), phone(facility.country_code, rng)
        who = rng.choice(
            [f"Worker {reporter}", f"Caller {reporter} ({tel})", "Worker", f"Sewing operator, tel {tel},"]
        )
        narrative = NARRATIVES[category].format(
            who=who,
            their=rng.choice(["her", "his", "their"]),
            month=rng.choice(["March", "June", "August", "last month"]),
            n=rng.randint(8, 14),
            amount=rng.choice(["USD 1,200", "CNY 2,000", "BDT 90,000", "INR 45,000"]),
            hours=rng.randint(68, 84),
            floor=rng.randint(2, 5),
        )
        recent = day >= dt.date(2026, 7, 1)
        status = rng.choice(
            ["open", "open", "referred"] if recent else ["resolved", "closed", "closed", "referred", "open"]
        )
        channel = rng.choices(["hotline", "app", "chat", "in_person"], [0.4, 0.3, 0.2, 0.1])[0]
        rows.append(
            (
                [
                    f"GRV-{day.year}-{number:05d}",
                    reporter,
                    tel,
                    name,
                    country,
                    day.isoformat(),
                    channel,
                    category,
                    narrative,
                    status,
                ],
                facility,
            )
        )
    bad = [
        (
            7,
            "Canteen food quality",
            "category",
            "unknown_category",
            "category 'Canteen food quality' is not in the vocabulary",
        ),
        (5, "2025-13-45", "received_date", "invalid_date", "received_date '2025-13-45' is not a date"),
    ]
    return _finish(rows, bad, rng, truth, GRIEVANCE_PATH, name_column=3, country_column=4)


def survey_rows(facilities: list[Facility], truth: Truth) -> list[list[object]]:
    """Return survey aggregates for two quarters and six indicators per facility."""
    rng = rng_for("surveys")
    small = dict(zip([f.key for f in facilities[-5:]], SMALL_RESPONDENTS, strict=True))
    rows = []
    for facility in facilities:
        label = programme_label(facility, rng)
        shares = SURVEY_SHARES.get(facility.key) or [rng.uniform(0.0, 0.08) for _ in INDICATORS]
        for period in ("2026-Q1", "2026-Q2"):
            respondents = small.get(facility.key) or rng.randint(40, 300)
            if facility.key == "SYN-HIGH-RISK":
                respondents = 180 if period == "2026-Q1" else 164
            for indicator, share in zip(INDICATORS, shares, strict=True):
                noisy = min(1.0, max(0.0, share * rng.uniform(0.8, 1.2)))
                reporting = min(respondents, round(respondents * noisy))
                rows.append(
                    ([label, facility.country_code, period, indicator, respondents, reporting], facility)
                )
    bad = [
        (4, "n/a", "respondents", "invalid_number", "respondents 'n/a' is not an integer"),
        (
            5,
            999,
            "respondents_reporting",
            "invalid_number",
            "respondents_reporting 999 is greater than respondents",
        ),
    ]
    return _finish(rows, bad, rng, truth, SURVEY_PATH, name_column=0, country_column=1)


def _finish(
    rows: list[tuple[list, Facility]],
    bad: list[tuple],
    rng: random.Random,
    truth: Truth,
    path: str,
    name_column: int,
    country_column: int,
) -> list[list]:
    """Insert bad copies of random rows, then record truth for every row in file order."""
    planted = []
    for column, value, canonical, reason, why in bad:
        source, facility = rows[rng.randrange(len(rows))]
        row = list(source)
        row[column] = value
        if path == GRIEVANCE_PATH:
            row[0] = row[0][:9] + f"9{rng.randint(1000, 9999)}"
        rows.insert(rng.randrange(1, len(rows)), (row, facility))
        planted.append((row, canonical, reason, why))
    out = []
    for number, (row, facility) in enumerate(rows, start=2):
        hit = next((p for p in planted if p[0] is row), None)
        if hit:
            truth.bad(path, number, hit[1], hit[2], hit[3])
        truth.mention(
            path, number, facility.key, row[name_column], row[country_column], quarantined=hit is not None
        )
        out.append(row)
    return out
