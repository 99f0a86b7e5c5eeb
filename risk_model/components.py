"""Risk components, each on 0-100 with the evidence rows (drivers) that produced it.

Every function returns `(drivers, scores)`: drivers in the `DRIVER_SCHEMA` layout (one row per piece of
evidence) and scores as (facility_id, <component>_score). The formulas are in
docs/risk-methodology.md and the numbers in parameters.yaml.
"""

from __future__ import annotations

import polars as pl

from risk_model.inputs import RiskInputs, drivers_frame, label
from risk_model.name_goods import inferred_goods
from risk_model.parameters import RiskParameters, sector_goods


def _scores(drivers: pl.DataFrame, component: str, how: str = "max") -> pl.DataFrame:
    total = pl.col("points").sum() if how == "sum" else pl.col("points").max()
    return drivers.group_by("facility_id").agg(total.clip(0, 100).alias(f"{component}_score"))


def country_component(inputs: RiskInputs, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Country inherent risk: the Global Slavery Index when the user supplied it, else the fallback
    from the DOL list (goods per country; forced labour weighs more than child labour)."""
    fallback = _country_from_dol(inputs, params)
    if inputs.country_risk is None or inputs.country_risk.is_empty():
        return fallback, _scores(fallback, "country")
    gsi = _country_from_gsi(inputs, params)
    drivers = pl.concat([gsi, fallback.join(gsi.select("facility_id"), on="facility_id", how="anti")])
    return drivers, _scores(drivers, "country")


def _country_from_gsi(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    rule = params["country"]
    prevalence = (pl.col("prevalence_per_1000").fill_null(0) * rule["gsi_points_per_1000_prevalence"]).clip(
        0, 100
    )
    vulnerability = pl.col("vulnerability_score").fill_null(0).clip(0, 100)
    share = rule["gsi_prevalence_share"]
    drivers = inputs.facilities.join(inputs.country_risk, on="country_code", how="inner").with_columns(
        component=pl.lit("country"),
        points=(share * prevalence + (1 - share) * vulnerability).round(2).cast(pl.Float64),
        description=pl.format(
            "{}: Global Slavery Index {}: prevalence {} per 1,000, vulnerability {}/100",
            "country_code",
            "edition",
            pl.col("prevalence_per_1000").round(1),
            pl.col("vulnerability_score").round(0),
        ),
        evidence_source=pl.format("Global Slavery Index {}", "edition"),
        evidence_list_entry=pl.col("entry_id"),
    )
    return drivers_frame(drivers)


def _country_from_dol(inputs: RiskInputs, params: RiskParameters) -> pl.DataFrame:
    rule = params["country"]
    per_country = inputs.dol_goods.group_by("country_code").agg(
        forced=(pl.col("forced_labor") | pl.col("forced_child_labor")).sum(),
        child=pl.col("child_labor").sum(),
    )
    drivers = inputs.facilities.join(per_country, on="country_code", how="inner").with_columns(
        component=pl.lit("country"),
        points=(
            rule["points_per_forced_labour_good"] * pl.col("forced")
            + rule["points_per_child_labour_good"] * pl.col("child")
        )
        .clip(0, 100)
        .cast(pl.Float64),
        description=pl.format(
            "{}: {} good(s) with forced labour and {} with child labour on the US DOL list",
            "country_code",
            "forced",
            "child",
        ),
        evidence_source=pl.lit("US DOL List of Goods (fallback: no Global Slavery Index file)"),
    )
    return drivers_frame(drivers)


def dol_points(rule: dict) -> pl.Expr:
    """Points of a DOL country x good row: forced child labour > forced labour > child labour only."""
    return (
        pl.when(pl.col("forced_child_labor"))
        .then(rule["forced_child_labour_points"])
        .when(pl.col("forced_labor"))
        .then(rule["forced_labour_points"])
        .when(pl.col("child_labor"))
        .then(rule["child_labour_points"])
        .otherwise(0)
        .cast(pl.Float64)
    )


def sector_component(inputs: RiskInputs, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """DOL country x good, matched from the facility's sectors and product types via sector_goods.csv
    (keywords are matched once per distinct term, then joined back to facilities)."""
    rule = params["sector"]
    keywords = pl.DataFrame(list(sector_goods()), schema=["keyword", "good"], orient="row")
    terms = (
        inputs.facilities.select(
            "facility_id",
            "country_code",
            pl.concat_list(pl.col("sectors").fill_null([]), pl.col("product_types").fill_null([])).alias(
                "term"
            ),
        )
        .explode("term")
        .drop_nulls("term")
        .with_columns(pl.col("term").str.to_lowercase())
    )
    term_goods = (
        terms.select("term")
        .unique()
        .join(keywords, how="cross")
        .filter(pl.col("term").str.contains(pl.col("keyword"), literal=True))
        .select("term", "good")
    )
    matched = (
        terms.join(term_goods, on="term", how="inner")
        .unique(["facility_id", "good"])
        .join(inputs.dol_goods, on=["country_code", "good"], how="inner")
    )
    drivers = matched.with_columns(
        component=pl.lit("sector"),
        points=dol_points(rule),
        description=pl.format(
            "{} from {}: on the US DOL list for {}",
            "good",
            "country_code",
            pl.when(pl.col("forced_labor") | pl.col("forced_child_labor"))
            .then(pl.lit("forced labour"))
            .otherwise(pl.lit("child labour")),
        ),
        evidence_source=pl.lit("US DOL List of Goods"),
        evidence_list_entry=pl.col("entry_id"),
    ).filter(pl.col("points") > 0)
    declared = matched.select("facility_id", "good")
    drivers = pl.concat([drivers_frame(drivers), _inferred_sector(inputs, rule, declared)])
    return drivers, _scores(drivers, "sector")


def _named_texts(inputs: RiskInputs) -> pl.DataFrame:
    """(facility_id, text, origin): every name of a facility and the processing types sources gave."""
    frames = [
        inputs.facilities.select("facility_id", pl.col("name").alias("text"), pl.lit("name").alias("origin"))
    ]
    records = inputs.facility_records
    if records is not None and records.height:
        linked = records.join(inputs.record_links.select("record_id", "facility_id"), on="record_id")
        frames.append(
            linked.select("facility_id", pl.col("name").alias("text"), pl.lit("name").alias("origin"))
        )
        if "processing_types" in linked.columns:
            frames.append(
                linked.select(
                    "facility_id",
                    pl.col("processing_types").alias("text"),
                    pl.lit("processing type").alias("origin"),
                ).explode("text")
            )
    return pl.concat(frames, how="vertical_relaxed")


def _inferred_sector(inputs: RiskInputs, rule: dict, declared: pl.DataFrame) -> pl.DataFrame:
    """Goods read from names and processing types (risk_model/name_goods.py), not also declared:
    `name_inferred_share` x the DOL points, labelled as inferred."""
    inferred = (
        inferred_goods(_named_texts(inputs))
        .join(declared, on=["facility_id", "good"], how="anti")
        .join(inputs.facilities.select("facility_id", "country_code"), on="facility_id")
        .join(inputs.dol_goods, on=["country_code", "good"], how="inner")
    )
    drivers = inferred.with_columns(
        component=pl.lit("sector"),
        points=(dol_points(rule) * rule["name_inferred_share"]).round(2),
        description=pl.format(
            "{} from {}: on the US DOL list for {} (inferred from {} '{}': \"{}\")",
            "good",
            "country_code",
            pl.when(pl.col("forced_labor") | pl.col("forced_child_labor"))
            .then(pl.lit("forced labour"))
            .otherwise(pl.lit("child labour")),
            "origin",
            "text",
            "keyword",
        ),
        evidence_source=pl.format("US DOL List of Goods (inferred from {})", "origin"),
        evidence_list_entry=pl.col("entry_id"),
    ).filter(pl.col("points") > 0)
    return drivers_frame(drivers)


def audit_component(inputs: RiskInputs, params: RiskParameters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Forced-labour audit findings weighted by severity, recency (half-life) and open actions."""
    rule = params["audit"]
    age_days = (pl.lit(inputs.as_of) - pl.col("audit_date")).dt.total_days().clip(0)
    is_open = pl.col("corrective_action_status").is_in(["open", "in_progress"])
    expired = pl.col("audit_expiry_date").is_not_null() & (pl.col("audit_expiry_date") < pl.lit(inputs.as_of))
    findings = inputs.audit_findings.filter(pl.col("ilo_indicator").is_not_null()).join(
        inputs.record_links.select("record_id", "facility_id"), on="record_id", how="inner"
    )
    drivers = findings.with_columns(
        component=pl.lit("audit"),
        points=(
            pl.col("severity").replace_strict(rule["severity_points"], return_dtype=pl.Float64)
            * (0.5 ** (age_days / rule["half_life_days"]))
            * pl.when(is_open).then(rule["open_action_multiplier"]).otherwise(1.0)
        ).round(2),
        description=pl.format(
            "{} {} finding: {} ({} {} audit, {}{})",
            pl.when(is_open).then(pl.lit("Open")).otherwise(pl.lit("Closed")),
            "severity",
            label("ilo_indicator"),
            "scheme",
            pl.col("scheme_version").fill_null(""),
            pl.col("audit_date").cast(pl.String),
            pl.when(expired).then(pl.lit("; audit expired")).otherwise(pl.lit("")),
        ),
        evidence_source=pl.format("social audit {}", "audit_id"),
        evidence_record_id=pl.col("record_id"),
        evidence_date=pl.col("audit_date"),
        evidence_finding_id=pl.col("finding_id"),
    )
    # the same finding sent twice (same record, same text, another finding id) counts once
    drivers = drivers_frame(drivers).sort("points", "evidence_finding_id", descending=[True, False])
    drivers = drivers.unique(
        ["facility_id", "description", "evidence_record_id"], keep="first", maintain_order=True
    )
    drivers = pl.concat([drivers, _expired_audit_notes(inputs)])
    return drivers, _scores(drivers, "audit", how="sum")


def _expired_audit_notes(inputs: RiskInputs) -> pl.DataFrame:
    """A 0-point audit driver for each facility whose latest audit had expired by the as-of date: the
    evidence is stale and a re-audit is due (confidence already decays with the audit's age)."""
    latest = (
        inputs.audit_list()
        .join(inputs.record_links.select("record_id", "facility_id"), on="record_id", how="inner")
        .sort("facility_id", "audit_date", "audit_id")
        .unique("facility_id", keep="last", maintain_order=True)
        .filter(pl.col("audit_expiry_date") < pl.lit(inputs.as_of))
    )
    notes = latest.with_columns(
        component=pl.lit("audit"),
        points=pl.lit(0.0),
        description=pl.format(
            "Latest audit expired on {} ({} {} audit, {}): re-audit due",
            pl.col("audit_expiry_date").cast(pl.String),
            "scheme",
            pl.col("scheme_version").fill_null(""),
            pl.col("audit_date").cast(pl.String),
        ),
        evidence_source=pl.format("social audit {}", "audit_id"),
        evidence_record_id=pl.col("record_id"),
        evidence_date=pl.col("audit_expiry_date"),
    )
    return drivers_frame(notes)
