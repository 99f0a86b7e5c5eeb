"""Risk scoring at scale: score N facilities with realistic evidence volumes, time it, report peak RSS.

Usage: .venv/bin/python benchmarks/risk_scoring_scale.py [facilities]   (default 1,000,000; run by hand)

A child process generates the inputs (fixed seed) and then runs exactly what the `published_risk_tables`
asset computes in memory: `score_facilities` (country, sector, list screening, audit and worker-voice
components, confidence, bands, top drivers), `brand_exposure` and `country_commodity_risk`. Volumes per
1M facilities, in line with an Open Supply Hub-sized registry:
  - 1.6 records per facility (1.6M source records whose names are screened as aliases), parent
    companies on 20%, coordinates on 90%, facilities spread over 40 countries (30% CN);
  - 10% of facilities audited (one or two audits each, ~5 findings per audit, 40% of findings on an
    ILO forced-labour indicator; 2% of audits expired; open/closed corrective actions);
  - 3% with grievance channels (~15 cases each), 1.5% with surveys (6 indicators per period);
  - the real US DOL List of Goods 2022 (demo bundle) and 600 list entities (the demo's real UFLPA / CBP
    entries plus synthetic ones; 0.05% of facilities carry a listed name or parent).
Reported: seconds to score (the goal is <= 60 s on 2 cores), seconds to generate, peak RSS of the child.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AS_OF = date(2026, 11, 23)
COUNTRIES = ["CN"] * 30 + ["IN"] * 10 + ["BD"] * 8 + ["VN"] * 8 + ["TR"] * 5 + ["PK"] * 4 + ["KH"] * 3 + [
    "ID", "TH", "MY", "LK", "MM", "EG", "MA", "MX", "GT", "HN", "BR", "PE", "IT", "PT", "ES", "DE", "PL",
    "RO", "BG", "US", "ET", "KE", "TN", "JO", "PH", "UZ", "KR", "TW", "JP", "GB", "FR", "NL",
]  # fmt: skip
SECTORS = ["Apparel", "Textiles", "Footwear", "Home Textiles", "Electronics", "Furniture", "Food", "Toys"]
PRODUCTS = ["Cotton garments", "Knitwear", "Shoes", "Yarn", "Solar panels", "Gloves", "", "Bricks"]
WORDS = ["Golden", "Sunrise", "Pacific", "Hengli", "Apex", "Lotus", "Delta", "Crown", "Star", "Harmony",
    "Jade", "Orient", "Silver", "Royal", "Green", "Eastern", "Unity", "Prime", "Grand", "Blue"]  # fmt: skip
KINDS = ["Garment", "Textile", "Knitting", "Apparel", "Footwear", "Spinning", "Weaving", "Electronics"]
FORMS = ["Co., Ltd.", "Company Limited", "Ltd", "Pvt. Ltd.", "Manufacturing Co", "JSC", "S.A.", ""]
INDICATORS = ["abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation",
              "physical_and_sexual_violence", "intimidation_and_threats", "retention_of_identity_documents",
              "withholding_of_wages", "debt_bondage", "abusive_working_and_living_conditions",
              "excessive_overtime"]  # fmt: skip


PLACES = ["Xinjiang", "Aksu", "Turpan", "Kashgar", "Hami", "Korla", "Yili", "Changji", "Bortala", "Karamay"]


def _names(rng: np.random.Generator, n: int, words: list[str] = WORDS) -> pl.Series:
    frame = pl.DataFrame(
        {
            "a": np.array(words)[rng.integers(0, len(words), n)],
            "b": np.array(words)[rng.integers(0, len(words), n)],
            "k": np.array(KINDS)[rng.integers(0, len(KINDS), n)],
            "n": rng.integers(1, 99_999, n),
            "f": np.array(FORMS)[rng.integers(0, len(FORMS), n)],
        }
    )
    return frame.select(pl.format("{} {} {} {} {}", "a", "b", "n", "k", "f").str.strip_chars())["a"]


def _reference() -> tuple[pl.DataFrame, pl.DataFrame]:
    from connectors.countries import to_alpha2

    dol = pl.read_csv(ROOT / "demo/bundle/reference/dol_tvpra_goods_2022.csv")
    yes = {c: pl.col(c) == "Yes" for c in ("child_labor", "forced_labor", "forced_child_labor")}
    dol = dol.with_columns(
        entry_id=pl.format("dol-{}", pl.int_range(pl.len())),
        country_code=pl.col("country").map_elements(to_alpha2, return_dtype=pl.String),
        **yes,
    ).drop_nulls("country_code")
    real = pl.read_csv(ROOT / "demo/bundle/reference/trade_restriction_entities.csv")
    real = real.select(
        "list_name",
        "entity_name",
        pl.col("aliases").str.split("|"),
        pl.col("country").map_elements(to_alpha2, return_dtype=pl.String).alias("country_code"),
    )
    rng = np.random.default_rng(7)
    synthetic = pl.DataFrame(
        {
            "list_name": ["uflpa_entity_list"] * 570,
            "entity_name": _names(rng, 570, PLACES).to_list(),
            "aliases": [[]] * 570,
            "country_code": (["CN"] * 500) + (["MY"] * 40) + ([None] * 30),
        },
        schema_overrides={"aliases": pl.List(pl.String), "country_code": pl.String},
    )
    entities = pl.concat([real, synthetic]).with_columns(entry_id=pl.format("ent-{}", pl.int_range(pl.len())))
    return dol, entities


def generate(n: int):
    """RiskInputs for `n` facilities (see the module docstring for the volumes)."""
    from risk_model.inputs import RiskInputs

    rng = np.random.default_rng(20261123)
    dol, entities = _reference()
    ids = pl.Series([f"FLR-{i:012X}" for i in range(n)])
    names = _names(rng, n)
    listed = rng.random(n) < 0.0005
    entity_names = entities["entity_name"].to_numpy()
    names = pl.Series(np.where(listed, entity_names[rng.integers(0, len(entity_names), n)], names.to_numpy()))
    parents = pl.select(
        pl.when(pl.Series(rng.random(n) < 0.2)).then(_names(rng, n)).otherwise(None).cast(pl.String)
    ).to_series()
    workers = rng.integers(50, 5000, n)
    facilities = pl.DataFrame(
        {
            "facility_id": ids,
            "name": names,
            "country_code": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)],
            "lat": np.where(rng.random(n) < 0.9, rng.uniform(-40, 60, n), np.nan),
            "lng": rng.uniform(-120, 150, n),
            "os_id": [None] * n,
            "sectors": pl.Series(np.array(SECTORS)[rng.integers(0, len(SECTORS), n)]).map_elements(
                lambda s: [s], return_dtype=pl.List(pl.String)
            ),
            "product_types": pl.Series(np.array(PRODUCTS)[rng.integers(0, len(PRODUCTS), n)]).str.split("|"),
            "parent_company": parents,
            "workers_min": workers,
            "workers_max": workers,
            "contributors": [["Open Supply Hub"]] * n,
        },
        schema_overrides={"os_id": pl.String},
    ).with_columns(pl.col("lat").fill_nan(None))
    brands = np.array(["Brand A", "Brand B", "Brand C", "Brand D", "Brand E"])
    facilities = facilities.with_columns(
        contributors=pl.concat_list("contributors", pl.Series(brands[rng.integers(0, 5, n)]).cast(pl.String))
    )
    extra = rng.random(n) < 0.6
    record_facility = pl.concat([ids, ids.filter(pl.Series(extra))])
    links = pl.DataFrame(
        {"record_id": [f"r{i:019x}" for i in range(record_facility.len())], "facility_id": record_facility}
    )
    records = links.join(facilities.select("facility_id", "name", "parent_company"), on="facility_id").select(
        "record_id",
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.col("name").str.to_uppercase())
        .otherwise("name")
        .alias("name"),
        "parent_company",
        pl.lit("supplier_list").alias("source_type"),
        pl.lit("Brand A").alias("contributor"),
    )
    findings, audits = _audits(rng, links, n)
    grievances, surveys = _worker_voice(rng, links, n)
    inputs = RiskInputs(
        facilities=facilities,
        record_links=links,
        audit_findings=findings,
        grievances=grievances,
        surveys=surveys,
        dol_goods=dol,
        entity_lists=entities,
        as_of=AS_OF,
        audits=audits,
        facility_records=records,
    )
    return inputs, brands.tolist()


def _audits(rng: np.random.Generator, links: pl.DataFrame, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    audited = links.head(n).sample(fraction=0.1, seed=1)
    count = audited.height * 3 // 2
    record_ids = audited["record_id"].to_numpy()[rng.integers(0, audited.height, count)]
    days = rng.integers(0, 4 * 365, count)
    audit_dates = [AS_OF - timedelta(days=int(d)) for d in days]
    audits = pl.DataFrame(
        {
            "audit_id": [f"AUD-{i}" for i in range(count)],
            "record_id": pl.Series(record_ids, dtype=pl.String),
            "scheme": np.array(["SMETA", "amfori BSCI", "SA8000", "RBA VAP"])[rng.integers(0, 4, count)],
            "scheme_version": ["7.0"] * count,
            "audit_date": audit_dates,
        }
    ).with_columns(audit_expiry_date=pl.col("audit_date").dt.offset_by("1y"))
    per_audit = rng.integers(2, 9, count)
    findings = audits.select(pl.all().repeat_by(pl.Series(per_audit)).explode()).with_columns(
        finding_id=pl.format("F-{}", pl.int_range(pl.len())),
        ilo_indicator=pl.Series(
            np.array(INDICATORS + [""] * 16)[rng.integers(0, 27, per_audit.sum())], dtype=pl.String
        ),
        severity=pl.Series(
            np.array(["critical", "major", "minor", "observation"])[rng.integers(0, 4, per_audit.sum())]
        ),
        corrective_action_status=pl.Series(
            np.array(["open", "in_progress", "closed"])[rng.integers(0, 3, per_audit.sum())]
        ),
    )
    findings = findings.with_columns(
        ilo_indicator=pl.when(pl.col("ilo_indicator") != "").then(pl.col("ilo_indicator"))
    )
    return findings, audits


def _worker_voice(rng: np.random.Generator, links: pl.DataFrame, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    channels = links.head(n).sample(fraction=0.03, seed=2)["record_id"].to_numpy()
    cases = rng.integers(1, 30, len(channels))
    grievances = pl.DataFrame(
        {"record_id": pl.Series(np.repeat(channels, cases), dtype=pl.String)}
    ).with_columns(
        received_date=pl.Series([AS_OF - timedelta(days=int(d)) for d in rng.integers(0, 700, cases.sum())]),
        ilo_indicator=pl.Series(np.array(INDICATORS)[rng.integers(0, 11, cases.sum())]),
    )
    surveyed = links.head(n).sample(fraction=0.015, seed=3)["record_id"].to_numpy()
    rows = len(surveyed) * 6
    respondents = rng.integers(5, 300, rows)
    surveys = pl.DataFrame(
        {
            "record_id": pl.Series(np.repeat(surveyed, 6), dtype=pl.String),
            "survey_period": np.array(["2025-Q4", "2026-Q1", "2026-Q2"])[rng.integers(0, 3, rows)],
            "ilo_indicator": np.array(INDICATORS)[rng.integers(0, 11, rows)],
            "respondents": respondents,
            "respondents_reporting": (respondents * rng.uniform(0, 0.4, rows)).astype(np.int64),
        }
    )
    return grievances, surveys


def child(n: int) -> None:
    from risk_model.aggregates import brand_exposure, country_commodity_risk
    from risk_model.parameters import load_parameters
    from risk_model.score import score_facilities

    started = time.perf_counter()
    inputs, brands = generate(n)
    generated = time.perf_counter() - started
    params = load_parameters()
    started = time.perf_counter()
    scored = score_facilities(inputs, params)
    exposure = brand_exposure(scored["facility_risk"], brands)
    commodities = country_commodity_risk(inputs.current().dol_goods, scored["facility_risk_drivers"], params)
    seconds = time.perf_counter() - started
    bands = dict(scored["facility_risk"]["risk_band"].value_counts().iter_rows())
    evidence = {
        "records": inputs.record_links.height,
        "audit_findings": inputs.audit_findings.height,
        "grievances": inputs.grievances.height,
        "survey_rows": inputs.surveys.height,
        "list_entities": inputs.entity_lists.height,
    }
    print(
        json.dumps(
            {
                "facilities": n,
                "evidence": evidence,
                "generate_seconds": round(generated, 1),
                "score_seconds": round(seconds, 1),
                "drivers": scored["facility_risk_drivers"].height,
                "list_hits": scored["list_screening_hits"].height,
                "brands": exposure.height,
                "country_goods": commodities.height,
                "bands": bands,
                "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
            }
        )
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--child" else 1_000_000
    if "--child" in sys.argv:
        child(int(sys.argv[sys.argv.index("--child") + 1]))
        return
    done = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=2))
    seconds, rss = result["score_seconds"], result["peak_rss_gb"]
    print(f"\nscored {n:,} facilities in {seconds} s (goal <= 60 s), peak RSS {rss} GB")


if __name__ == "__main__":
    main()
