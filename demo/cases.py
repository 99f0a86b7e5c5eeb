"""Ground truth about the planted cases and the facility universe (demo/bundle/truth/).

planted_cases.yaml names, for each planted case, the files, rows and spellings where it appears, so
tests and benchmarks can assert on them without re-deriving anything.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from demo.facilities import Facility
from demo.output import Truth, write_csv
from demo.plan import Plan
from demo.reference import ENTITY_PATH, entity_row

EXPECTED_LEVEL = {"SYN-MH-BD": "high", "SYN-MH-IN": "high", "SYN-MH-VN": "medium", "SYN-MH-CN": "medium"}


def _mentions_by_key(truth: Truth) -> dict[str, list[dict]]:
    by_key: dict[str, list[dict]] = defaultdict(list)
    for file, row, key, name, country, quarantined in truth.mentions:
        by_key[key].append(
            {
                "file": file,
                "row": row,
                "name": name,
                "country": country,
                "expected_quarantined": quarantined == "true",
            }
        )
    return by_key


def _not_file(mentions: list[dict], prefix: str) -> list[dict]:
    return [m for m in mentions if not m["file"].startswith(prefix)]


def _count_in(mentions: list[dict], prefix: str) -> int:
    return sum(1 for m in mentions if m["file"].startswith(prefix))


def _audit_ids(audit_rows: list[list[str]], mentions: list[dict]) -> list[str]:
    rows = {m["row"] for m in mentions if m["file"].startswith("audits/")}
    return sorted({audit_rows[r - 2][0] for r in rows})


def _facility_summary(facility: Facility, mentions: list[dict], audit_rows: list[list[str]]) -> dict:
    """Return key facts and non-worker-voice mentions of one planted facility."""
    return {
        "true_facility_key": facility.key,
        "synthetic": facility.synthetic,
        "name": facility.name,
        "address": facility.address,
        "country_code": facility.country_code,
        "os_id": facility.os_id or None,
        "mentions": _not_file(mentions, "worker_voice/"),
        "audit_ids": _audit_ids(audit_rows, mentions),
        "grievance_rows": _count_in(mentions, "worker_voice/grievance"),
        "survey_rows": _count_in(mentions, "worker_voice/survey"),
    }


def planted_cases(plan: Plan, truth: Truth, audit_rows: list[list[str]]) -> dict:
    """Return the planted-cases document."""
    by_key = _mentions_by_key(truth)
    syn = {k: f for k, f in plan.by_key.items() if f.synthetic}
    three = plan.three_spellings
    high = _facility_summary(syn["SYN-HIGH-RISK"], by_key["SYN-HIGH-RISK"], audit_rows)
    high["list_entries"] = [
        {
            "file": ENTITY_PATH,
            "row": entity_row("Hetian Taida Apparel Co., Ltd.", name),
            "list_name": name,
            "entity_name": "Hetian Taida Apparel Co., Ltd.",
        }
        for name in ("uflpa_entity_list", "cbp_wro_findings")
    ]
    duplicates = plan.lists["Northwind Apparel"].duplicates
    brand_only = [f for f in plan.by_key.values() if not f.os_id and f.memberships]
    return {
        "THREE_SPELLINGS": {
            "description": "One real facility in all three brand lists under three different, "
            "matchable spellings (and in OS Hub and one audit).",
            **_facility_summary(three, by_key[three.key], audit_rows),
        },
        "HIGH_RISK": {
            "description": "SYNTHETIC Xinjiang facility whose name fuzzily matches a real UFLPA "
            "Entity List / CBP WRO entry; critical forced-labour audit findings, "
            "many grievances, high survey shares. All its evidence is SYNTHETIC.",
            **high,
        },
        "UNIT_GUARD": {
            "description": "Two distinct facilities whose names differ only by unit number; "
            "they must never be merged.",
            "facilities": [
                _facility_summary(syn[k], by_key[k], audit_rows) for k in ("SYN-UNIT-3", "SYN-UNIT-4")
            ],
        },
        "MEDIUM_HIGH": [
            {"expected_level": EXPECTED_LEVEL[k], **_facility_summary(syn[k], by_key[k], audit_rows)}
            for k in sorted(EXPECTED_LEVEL)
        ],
        "WITHIN_LIST_DUPLICATES": [
            {
                "true_facility_key": f.key,
                "mentions": [m for m in by_key[f.key] if m["file"].endswith("northwind_apparel_2026.csv")],
            }
            for f in duplicates
        ],
        "BRAND_LIST_ONLY": [
            {"true_facility_key": f.key, "lists": f.memberships}
            for f in sorted(brand_only, key=lambda f: f.key)
        ],
    }


def write_truth(out: Path, plan: Plan, truth: Truth, audit_rows: list[list[str]]) -> None:
    """Write every truth file under out/truth/."""
    truth_dir = out / "truth"
    truth.write(truth_dir)
    counts = defaultdict(int)
    for mention in truth.mentions:
        counts[mention[2]] += 1
    rows = [
        [
            f.key,
            str(f.synthetic).lower(),
            f.role,
            f.name,
            f.address,
            f.country_code,
            f.lat,
            f.lng,
            f.os_id,
            "|".join(f.memberships),
            counts[f.key],
        ]
        for f in plan.by_key.values()
    ]
    write_csv(
        truth_dir / "facilities.csv",
        [
            "true_facility_key",
            "synthetic",
            "planted_role",
            "name",
            "address",
            "country_code",
            "lat",
            "lng",
            "os_id",
            "brand_lists",
            "mention_count",
        ],
        rows,
    )
    document = planted_cases(plan, truth, audit_rows)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    (truth_dir / "planted_cases.yaml").write_text(text, encoding="utf-8")
