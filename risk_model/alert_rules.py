"""Per-brand alert rules over published.facility_risk_history rows: which changes a brand is told about.

Rules are data (`$FLRISK_HOME/alert_rules.yaml`, see docs/sourcing.md); a rule matches a history row
when every condition it names holds:

- `band_reaches: [high, critical]` - the new band is one of these and the old one was not (a new
  facility arriving in such a band counts, and so does one newly in the brand's portfolio: each
  brand sees the rows through risk_model.history.seen_by, where a facility it just added has no old
  values);
- `new_list_hit: [confirmed, candidate]` - a list-screening hit with one of these statuses
  appeared ('list: entity [status]'); `pending_review`, the status's name before issue 18, still
  means `candidate` (in rules files and in history rows recorded before the rename);
- `new_driver_matches: REGEX` - a driver appeared whose text matches (case-insensitive), e.g.
  "region|presum" for a region presumption, a driver kind that may not exist yet;
- `change_kinds: [merged, split, ...]` - any of these kinds is in the row.

A brand without `rules` gets `DEFAULT_RULES`. The alert carries the evidence diff: old and new band
and score, drivers and list hits added and removed, related facilities. Its `alert_id` is stable for
(brand, rule, facility, run), so a delivery register can send each alert once. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from risk_model.history import seen_by

DEFAULT_RULES = [
    {"name": "band reaches high or critical", "band_reaches": ["high", "critical"]},
    {"name": "new confirmed or candidate list hit", "new_list_hit": ["confirmed", "candidate"]},
    {"name": "region presumption appears", "new_driver_matches": "region|presum"},
]
CONDITIONS = {"band_reaches", "new_list_hit", "new_driver_matches", "change_kinds"}
HIT_STATUS = re.compile(r"\[([a-z_]+)\]$")
FORMER_STATUS_NAMES = {"pending_review": "candidate"}  # renamed by issue 18


def _status(name: str) -> str:
    return FORMER_STATUS_NAMES.get(name, name)


class AlertConfigError(ValueError):
    """The alert rules file says something flrisk cannot use (the message names where)."""


@dataclass(frozen=True)
class BrandAlerts:
    """One brand's rules and where its alerts go."""

    brand: str
    rules: list[dict]
    webhook: str | None = None
    emails: list[str] = field(default_factory=list)


def _added(row: dict, column: str) -> list[str]:
    return sorted(set(row.get(f"new_{column}") or []) - set(row.get(f"old_{column}") or []))


def _removed(row: dict, column: str) -> list[str]:
    return sorted(set(row.get(f"old_{column}") or []) - set(row.get(f"new_{column}") or []))


def rule_matches(rule: dict, row: dict) -> bool:
    """True when every condition of `rule` holds for the history `row`."""
    if "band_reaches" in rule:
        bands = set(rule["band_reaches"])
        if row.get("new_risk_band") not in bands or row.get("old_risk_band") in bands:
            return False
    if "new_list_hit" in rule:
        statuses = {_status(status) for status in rule["new_list_hit"]}
        found = [HIT_STATUS.search(hit) for hit in _added(row, "list_hits")]
        if not any(match and _status(match.group(1)) in statuses for match in found):
            return False
    if "new_driver_matches" in rule:
        pattern = re.compile(rule["new_driver_matches"], re.IGNORECASE)
        if not any(pattern.search(driver) for driver in _added(row, "drivers")):
            return False
    wanted_kinds = set(rule.get("change_kinds") or [])
    return not wanted_kinds or bool(wanted_kinds & set(row.get("change_kinds") or []))


def evidence_diff(row: dict) -> dict:
    """What changed, old against new, for one history row."""
    return {
        "change_kinds": list(row.get("change_kinds") or []),
        "band": {"old": row.get("old_risk_band"), "new": row.get("new_risk_band")},
        "score": {"old": row.get("old_risk_score"), "new": row.get("new_risk_score")},
        "drivers_added": _added(row, "drivers"),
        "drivers_removed": _removed(row, "drivers"),
        "list_hits_added": _added(row, "list_hits"),
        "list_hits_removed": _removed(row, "list_hits"),
        "related_facility_ids": list(row.get("related_facility_ids") or []),
    }


def alert_id(brand: str, rule: str, facility_id: str, run_id: str) -> str:
    """Stable id of one alert: the same change is never alerted twice to the same brand by one rule."""
    return hashlib.sha256(f"{brand}\x1f{rule}\x1f{facility_id}\x1f{run_id}".encode()).hexdigest()[:20]


def alerts_for(config: list[BrandAlerts], rows: list[dict]) -> list[dict]:
    """Every (brand, rule, history row as the brand sees it) that matches, as an alert with its
    evidence diff; brand "*" sees every row as recorded."""
    alerts = []
    for brand in config:
        for recorded in rows:
            row = recorded if brand.brand == "*" else seen_by(recorded, brand.brand)
            if row is None:
                continue
            for rule in brand.rules:
                if rule_matches(rule, row):
                    alerts.append(
                        {
                            "alert_id": alert_id(
                                brand.brand, rule["name"], row["facility_id"], row["run_id"]
                            ),
                            "brand": brand.brand,
                            "rule": rule["name"],
                            "run_id": row["run_id"],
                            "recorded_at": str(row.get("recorded_at")),
                            "facility_id": row["facility_id"],
                            "facility_name": row.get("facility_name"),
                            "country_code": row.get("country_code"),
                            "evidence_diff": evidence_diff(row),
                        }
                    )
    return alerts


def _rule(rule: object, where: str) -> dict:
    if not isinstance(rule, dict) or not rule.get("name"):
        raise AlertConfigError(f"{where}: a rule is a mapping with a name and conditions")
    unknown = set(rule) - CONDITIONS - {"name"}
    if unknown or not set(rule) & CONDITIONS:
        raise AlertConfigError(
            f"{where} ({rule['name']}): conditions are {', '.join(sorted(CONDITIONS))}"
            + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else "")
        )
    if "new_driver_matches" in rule:
        try:
            re.compile(str(rule["new_driver_matches"]))
        except re.error as error:
            raise AlertConfigError(
                f"{where} ({rule['name']}): new_driver_matches is not a regex: {error}"
            ) from error
    return rule


def parse_config(document: object, source: str = "alert_rules.yaml") -> list[BrandAlerts]:
    """The brands of an alert rules document (`brands: {NAME: {rules, webhook, email}}`)."""
    if not isinstance(document, dict) or not isinstance(document.get("brands"), dict):
        raise AlertConfigError(f"{source}: expected a 'brands:' mapping of brand name to its alerts")
    brands = []
    for name, entry in document["brands"].items():
        entry = entry or {}
        where = f"{source}: brands.{name}"
        if not isinstance(entry, dict):
            raise AlertConfigError(f"{where}: expected rules, webhook and/or email")
        rules = [_rule(rule, f"{where}.rules") for rule in entry.get("rules", DEFAULT_RULES)]
        emails = entry.get("email") or []
        brands.append(
            BrandAlerts(
                str(name), rules, entry.get("webhook"), [emails] if isinstance(emails, str) else emails
            )
        )
    return brands
