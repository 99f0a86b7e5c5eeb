"""Seed copies for the entity-resolution benchmark, and loading them as base facilities.

`python -m benchmarks.er.seeds SHARED_SEEDS_DIR` rebuilds benchmarks/data/ once, by hand; the
generator only ever reads benchmarks/data/ (a clone has no shared seed folder). What it keeps:
- OS Hub: `demo/seeds/oshub_facilities.csv` (already de-duplicated), copied unchanged;
- E-PRTR: one row per distinct report version of a facility (same `FacilityID`, a few years apart,
  written slightly differently), the name/address/coordinate columns only, re-encoded to UTF-8. The
  seed README says cp1252, but the bytes are Mac Roman ("Li\\x8fge" is "Liège"), with CR line ends;
- CARMA: plant, company, ISO alpha-3 and alpha-2 country, coordinates;
- the 112 labelled OS Hub pairs, unchanged.
Placeholders ("xxxxx", "-", "N/A", "NOT LISTED") become nulls.
"""

from __future__ import annotations

import gzip
import io
import shutil
import sys
from pathlib import Path

import polars as pl
import pycountry

REPOSITORY = Path(__file__).resolve().parents[2]
DATA = REPOSITORY / "benchmarks" / "data"
OSHUB_FILE = DATA / "oshub_facilities.csv"
EPRTR_FILE = DATA / "eprtr_facilities.csv.gz"
CARMA_FILE = DATA / "carma_power_plants.csv.gz"
PAIRS_FILE = DATA / "oshub_training_pairs.json"
PLACEHOLDERS = ["", "-", "xxxxx", "XXXXX", "N/A", "n/a", "NOT LISTED", "UNKNOWN"]
EU_CODES = {"UK": "GB", "EL": "GR"}


def _null_placeholders(frame: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().is_in(PLACEHOLDERS)).then(None).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def _write_csv_gz(frame: pl.DataFrame, path: Path) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(frame.write_csv().encode("utf-8"))


def build_eprtr(shared: Path) -> pl.DataFrame:
    """Distinct report versions per E-PRTR facility, UTF-8, ISO alpha-2 countries."""
    raw = (shared / "eprtr" / "eprtr_facilities.csv").read_bytes().decode("mac_roman")
    frame = pl.read_csv(io.StringIO(raw.replace("\r\n", "\n").replace("\r", "\n")), infer_schema_length=0)
    frame = _null_placeholders(frame).select(
        pl.col("FacilityID").alias("facility_id"),
        pl.col("ParentCompanyName").alias("parent"),
        pl.col("FacilityName").alias("name"),
        pl.col("StreetName").alias("street"),
        pl.col("PostalCode").alias("postcode"),
        pl.col("City").alias("city"),
        pl.col("CountryCode").replace(EU_CODES).alias("country_code"),
        pl.col("Lat").cast(pl.Float64).alias("lat"),
        pl.col("Long").cast(pl.Float64).alias("lng"),
    )
    return frame.unique(maintain_order=True).sort("facility_id", maintain_order=True)


def build_carma(shared: Path) -> pl.DataFrame:
    """CARMA plants with ISO alpha-2 countries (rows whose alpha-3 code is unknown are dropped)."""
    text = (shared / "carma_power_plants.csv").read_bytes().decode("utf-8", errors="replace")
    frame = pl.read_csv(io.StringIO(text.replace("\ufffd", "")), infer_schema_length=0)
    alpha2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    return (
        _null_placeholders(frame)
        .select(
            pl.col("plant.id").alias("plant_id"),
            "plant",
            "company",
            "iso3",
            pl.col("iso3").replace_strict(alpha2, default=None).alias("country_code"),
            pl.col("lat").cast(pl.Float64),
            pl.col("lon").cast(pl.Float64).alias("lng"),
        )
        .filter(pl.col("country_code").is_not_null() & pl.col("plant").is_not_null())
    )


def build_copies(shared: Path) -> None:
    """Rewrite benchmarks/data/ from the shared seed folder (run by hand, once)."""
    DATA.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPOSITORY / "demo" / "seeds" / "oshub_facilities.csv", OSHUB_FILE)
    shutil.copyfile(shared / "oshub_training_pairs.json", PAIRS_FILE)
    _write_csv_gz(build_eprtr(shared), EPRTR_FILE)
    _write_csv_gz(build_carma(shared), CARMA_FILE)


def _read_gz(path: Path) -> pl.DataFrame:
    with gzip.open(path, "rb") as handle:
        return pl.read_csv(handle.read(), infer_schema_length=0)


def load_oshub() -> pl.DataFrame:
    """OS Hub facilities: name, address (one string), country_code, lat, lng."""
    frame = pl.read_csv(OSHUB_FILE, infer_schema_length=0)
    return frame.select(
        "name", "address", "country_code", pl.col("lat", "lng").cast(pl.Float64)
    ).with_row_index("base_id")


def load_eprtr() -> pl.DataFrame:
    """E-PRTR report versions (several rows per facility_id)."""
    return _read_gz(EPRTR_FILE).with_columns(pl.col("lat", "lng").cast(pl.Float64))


def load_carma() -> pl.DataFrame:
    """CARMA plants: plant, company, country_code, lat, lng."""
    return _read_gz(CARMA_FILE).with_columns(pl.col("lat", "lng").cast(pl.Float64))


if __name__ == "__main__":
    build_copies(Path(sys.argv[1]))
    for path in sorted(DATA.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
