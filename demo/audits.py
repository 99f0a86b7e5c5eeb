"""SYNTHETIC social-audit findings: ~60 audits under four schemes, 3-8 findings each.

The auditor writes the facility's name, address and country in their own way (a variation of the
true values) and fills os_id for about half of the audits. Severities are written on each scheme's
native scale. Real seed facilities get ordinary findings (health and safety, hours, paperwork), with
forced-labour-related categories never above minor; major and critical forced-labour findings go
to the SYNTHETIC planted facilities only.
"""

from __future__ import annotations

import datetime as dt
import random

from demo import variants
from demo.facilities import Facility, rng_for
from demo.output import Truth

PATH = "audits/social_audit_findings.csv"
HEADER = [
    "audit_id",
    "scheme",
    "scheme_version",
    "audit_date",
    "audit_expiry_date",
    "auditor",
    "facility_name",
    "facility_address",
    "facility_country",
    "os_id",
    "finding_id",
    "finding_category",
    "finding_description",
    "severity",
    "corrective_action_status",
]
NATIVE = {  # normalised severity -> native label per scheme
    "SMETA": {"critical": "Critical", "major": "Major", "minor": "Minor", "observation": "Observation"},
    "amfori BSCI": {
        "critical": "Zero Tolerance",
        "major": "Major",
        "minor": "Minor",
        "observation": "Observation",
    },
    "SA8000": {"critical": "Critical", "major": "Major", "minor": "Minor", "observation": "Minor"},
    "RBA VAP": {
        "critical": "Priority",
        "major": "Major",
        "minor": "Minor",
        "observation": "Risk of Nonconformance",
    },
}
SCHEME_WEIGHTS = {"SMETA": 0.38, "amfori BSCI": 0.32, "SA8000": 0.15, "RBA VAP": 0.15}
AUDITORS = [
    "Crescent Compliance Services",
    "Northstar Social Audit Ltd",
    "Veritrust Assurance",
    "Harbourline Audit Partners",
]
DESCRIPTIONS = {
    "Passport retention": "Management keeps identity documents of {n} of {m} sampled workers; "
    "workers cannot retrieve them on request.",
    "Recruitment fees": "{n} migrant workers paid recruitment fees of about {amount} to agents.",
    "Wage deductions": "Deductions for uniforms and meals reduce pay below minimum wage for {n} workers.",
    "Delayed wages": "Wages for {month} paid {days} days late.",
    "Excessive working hours": "Weekly hours up to {hours} in peak weeks; rest day not given.",
    "Forced overtime": "Workers who refuse overtime are fined or lose attendance bonus.",
    "Restricted freedom of movement": "Dormitory gates locked at night; workers need written "
    "permission to leave the site.",
    "Threats of dismissal": "Supervisors threaten dismissal of workers who complain.",
    "Physical abuse": "Two workers report being pushed by a line supervisor.",
    "Harassment": "Verbal harassment by supervisors reported in worker interviews.",
    "Deceptive recruitment": "Job offers promised higher wages than contracts show.",
    "Substandard dormitories": "Dormitory rooms house {n} workers with no ventilation.",
    "Migrant worker vulnerability": "Migrant workers lack contracts in a language they read.",
    "Isolated worksite": "Site is remote with employer-controlled transport only.",
    "Fire safety": "Fire exits blocked by stock on floor {floor}.",
    "Health and safety": "Needle guards missing on {n} sewing machines.",
    "Management systems": "No documented grievance procedure or worker committee minutes.",
}
ORDINARY = {
    "Health and safety": 25,
    "Fire safety": 20,
    "Management systems": 15,
    "Excessive working hours": 12,
    "Delayed wages": 5,
    "Wage deductions": 4,
    "Harassment": 4,
    "Substandard dormitories": 4,
    "Migrant worker vulnerability": 2,
}
NON_INDICATOR = {"Health and safety", "Fire safety", "Management systems"}
PLANTED = {  # facility key -> list of (category, normalised severity) per audit
    "SYN-HIGH-RISK": [
        [
            ("Passport retention", "critical"),
            ("Restricted freedom of movement", "critical"),
            ("Recruitment fees", "major"),
            ("Forced overtime", "major"),
            ("Substandard dormitories", "major"),
            ("Wage deductions", "major"),
        ],
        [
            ("Passport retention", "critical"),
            ("Restricted freedom of movement", "critical"),
            ("Threats of dismissal", "major"),
            ("Excessive working hours", "major"),
            ("Migrant worker vulnerability", "major"),
            ("Isolated worksite", "minor"),
            ("Fire safety", "minor"),
        ],
    ],
    "SYN-MH-BD": [
        [
            ("Excessive working hours", "major"),
            ("Forced overtime", "major"),
            ("Threats of dismissal", "major"),
            ("Fire safety", "minor"),
        ]
    ],
    "SYN-MH-VN": [
        [
            ("Wage deductions", "major"),
            ("Delayed wages", "major"),
            ("Excessive working hours", "minor"),
            ("Health and safety", "minor"),
        ]
    ],
    "SYN-MH-CN": [
        [
            ("Recruitment fees", "major"),
            ("Migrant worker vulnerability", "major"),
            ("Substandard dormitories", "minor"),
            ("Management systems", "observation"),
        ]
    ],
    "SYN-MH-IN": [
        [
            ("Restricted freedom of movement", "major"),
            ("Recruitment fees", "major"),
            ("Substandard dormitories", "major"),
            ("Deceptive recruitment", "minor"),
            ("Health and safety", "minor"),
        ]
    ],
}
FIXED_DATES = {"SYN-HIGH-RISK": [dt.date(2026, 2, 17), dt.date(2026, 6, 9)]}


def add_year(day: dt.date) -> dt.date:
    """Return the same day one year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def audit_id(scheme: str, day: dt.date, rng: random.Random) -> str:
    """Return an audit reference in the style of the scheme's platform."""
    prefixes = {
        "SMETA": f"ZAA6{rng.randint(10**7, 10**8 - 1)}",
        "amfori BSCI": f"AMF-{day.year}-{rng.randint(100000, 999999)}",
        "SA8000": f"SA8K-{day.year}-{rng.randint(1000, 9999)}",
        "RBA VAP": f"VAP-{day.year}-{rng.randint(10000, 99999)}",
    }
    return prefixes[scheme]


def describe(category: str, rng: random.Random) -> str:
    """Fill a finding description template with plausible numbers."""
    return DESCRIPTIONS[category].format(
        n=rng.randint(3, 40),
        m=rng.randint(40, 60),
        amount=f"USD {rng.randint(8, 30) * 100}",
        month=rng.choice(["March", "July", "October"]),
        days=rng.randint(10, 45),
        hours=rng.randint(66, 84),
        floor=rng.randint(2, 5),
    )


def findings_for(facility: Facility, index: int, rng: random.Random) -> list[tuple[str, str]]:
    """Return (category, normalised severity) pairs for one audit of the facility."""
    if facility.key in PLANTED:
        planted = PLANTED[facility.key]
        return planted[index % len(planted)]
    target, pool, categories = rng.randint(3, 8), list(ORDINARY), []
    while len(categories) < target:
        pick = rng.choices(pool, [ORDINARY[c] for c in pool])[0]
        pool.remove(pick)
        categories.append(pick)
    severities = [rng.choices(["major", "minor", "observation"], [0.2, 0.55, 0.25])[0] for _ in categories]
    return [
        (c, "minor" if s == "major" and c not in NON_INDICATOR else s)
        for c, s in zip(categories, severities, strict=True)
    ]


def status_for(day: dt.date, rng: random.Random) -> str:
    """Older audits have mostly closed corrective actions; recent ones are open."""
    if day >= dt.date(2026, 1, 1):
        return rng.choice(["Open", "Open", "In progress", ""])
    return rng.choice(["Closed", "Closed", "Closed", "In progress", ""])


AUDITOR_SPELLINGS = {  # planted facility -> per audit (name, address, country, with os_id)
    "SYN-HIGH-RISK": [
        (
            "Hetian Taida Apparel Co., Ltd.",
            "No.8 Beijing West Rd, Hotan Industrial Park, Hotan, Xinjiang",
            "CN",
            True,
        ),
        (
            "HOTAN TAIDA APPAREL CO., LTD.",
            "NO. 8 BEIJING WEST ROAD, HOTAN CITY, XINJIANG UYGUR AUTONOMOUS REGION",
            "China",
            False,
        ),
    ],
}


def _as_written(facility: Facility, index: int, rng: random.Random) -> tuple[str, str, str, str]:
    """Return how an auditor writes the facility: name, address, country, os_id."""
    if facility.key in AUDITOR_SPELLINGS:
        name, address, country, with_id = AUDITOR_SPELLINGS[facility.key][index]
        return name, address, country, facility.os_id if with_id else ""
    name = facility.name
    if rng.random() < 0.7:
        name = variants.vary_name(name, rng, {"legal": 0.5, "case": 0.5}, facility.country_code)
    address = variants.vary_address(facility.address, rng, 0.5, 0.3)
    country = variants.country_spelling(facility.country_code, rng, "mixed")
    return name, address, country, facility.os_id if rng.random() < 0.5 else ""


def audit_rows(audits: list[tuple[Facility, int]], truth: Truth) -> list[list[str]]:
    """Return every finding row, audits in date order, plus planted bad rows; record truth."""
    rng = rng_for("audits")
    heads = []
    for facility, count in audits:
        for index in range(count):
            fixed = FIXED_DATES.get(facility.key)
            day = fixed[index] if fixed else (dt.date(2023, 1, 9) + dt.timedelta(days=rng.randint(0, 1380)))
            scheme = (
                ("amfori BSCI", "SMETA")[index]
                if fixed
                else rng.choices(list(SCHEME_WEIGHTS), list(SCHEME_WEIGHTS.values()))[0]
            )
            version = {
                "SMETA": "7.0" if day.year >= 2025 else "6.1",
                "amfori BSCI": "2.0",
                "SA8000": "2014",
                "RBA VAP": "8.0",
            }[scheme]
            name, address, country, os_id = _as_written(facility, index, rng)
            head = [
                audit_id(scheme, day, rng),
                scheme,
                version,
                day.isoformat(),
                add_year(day).isoformat(),
                rng.choice(AUDITORS),
                name,
                address,
                country,
                os_id,
            ]
            heads.append((head, facility, findings_for(facility, index, rng), day))
    heads.sort(key=lambda item: (item[0][3], item[0][0]))
    rows: list[tuple[list[str], Facility]] = []
    for head, facility, findings, day in heads:
        for number, (category, severity) in enumerate(findings, start=1):
            status = "Open" if severity == "critical" else status_for(day, rng)
            rows.append(
                (
                    head
                    + [
                        f"F{number:02d}",
                        category,
                        describe(category, rng),
                        NATIVE[head[1]][severity],
                        status,
                    ],
                    facility,
                )
            )
    return _with_bad_rows(rows, rng, truth)


def _with_bad_rows(
    rows: list[tuple[list[str], Facility]], rng: random.Random, truth: Truth
) -> list[list[str]]:
    """Insert four planted bad rows (copies of real rows with one broken cell)."""
    broken = [
        (1, "WRAP", "scheme", "unknown_scheme", "scheme 'WRAP' is not a supported scheme"),
        (3, "31/02/2025", "audit_date", "invalid_date", "audit_date '31/02/2025' is not a date"),
        (
            11,
            "Environmental permit",
            "finding_category",
            "unknown_category",
            "finding_category 'Environmental permit' is not in the vocabulary",
        ),
        (13, "Severe", "severity", "unknown_severity", "severity 'Severe' is not on the scheme's scale"),
    ]
    bad_positions = []
    for column, value, canonical, reason, why in broken:
        source_row, facility = rows[rng.randrange(len(rows))]
        row = list(source_row)
        row[column] = value
        row[10] = "F99"
        if column == 1:
            row[0], row[10] = f"WRAP-{row[3][:4]}-{rng.randint(1000, 9999)}", "F01"
        position = rng.randrange(1, len(rows))
        rows.insert(position, (row, facility))
        bad_positions.append((row, canonical, reason, why))
    out = []
    for number, (row, facility) in enumerate(rows, start=2):
        bad = next((b for b in bad_positions if b[0] is row), None)
        if bad:
            truth.bad(PATH, number, bad[1], bad[2], bad[3])
        truth.mention(PATH, number, facility.key, row[6], row[8], quarantined=bad is not None)
        out.append(row)
    return out
