"""The text of demo/bundle/README.md (row counts are filled in by the generator)."""

from __future__ import annotations

TEMPLATE = """\
# flrisk demo bundle

Demo inputs for flrisk, written by `demo/generate_bundle.py` (seed 20261123) from the seeds in
`demo/seeds/`. Regenerate with `uv run --frozen python -m demo.generate_bundle`; the output is
byte-identical on every run. `manifest.yaml` lists the input files; `truth/` holds the ground truth
for tests and benchmarks and is not an input.

> **SYNTHETIC DATA WARNING.** All social-audit findings, worker-voice grievances (including
> reporter ids, phone numbers and narratives) and survey aggregates are **SYNTHETIC**: invented by
> the generator, not reported by anyone. Facility names in those files come from public Open
> Supply Hub fixtures so that entity resolution has realistic input; the findings attached to them
> say nothing about the real facilities. The strong forced-labour evidence is attached only to
> facilities invented for the demo (`SYN-*` keys in `truth/facilities.csv`). The facility
> "Hetian Taida Apparel Company Limited" / "Hotan Taida Apparel Co Ltd" and everything recorded
> about it is **SYNTHETIC**; it is made to resemble a real entry of the US DHS UFLPA Entity List so
> that list screening can be demonstrated. Supplier lists, brands, contributors and auditors are
> fictional. Phone numbers use fictional patterns (mostly the UK drama range +44 7700 900xxx).

## Files

| file | rows | what |
|---|---:|---|
{table}

Row numbers used anywhere in this bundle follow the spreadsheet convention: the header is line 1,
the first data row is row 2.

### Formats and quirks worth knowing

- `oshub/os_hub_facilities_download.csv` (UTF-8): one row per facility; `|` separates values in
  sector, contributor, facility_type, processing_type, product_type; number_of_workers mixes
  "250", "1001-5000", "601-800", "Less than 1000", "More than 10000" and ""; is_closed is "True",
  "False" or "". The last character of each os_id is the demo check character (see SPEC).
- `supplier_lists/northwind_apparel_2026.csv`: UTF-8, LF, lower-case OS Hub headers plus an
  `os_id` column filled on some rows.
- `supplier_lists/bluefjord_outdoor_2026.xlsx`: first sheet "Suppliers" (Title Case headers,
  numeric coordinates, numeric or text head counts, extra column "Tier"); a second sheet "Read me"
  is not data.
- `supplier_lists/casa_verde_home_2026.csv`: cp1252, CRLF, headers "Country", " Name ",
  "ADDRESS", "Product Type", "Sector", "Number of Workers", "LAT", "Lng" and the extra column
  "supplier_code"; characters outside cp1252 are transliterated ("Sông" becomes "Song").
- Countries are written in many ways: "China", "CN", "CHN", "CHINA", "People's Republic of
  China", "Viet Nam", "Vietnam", "VIET NAM", "VNM", "South Korea", "USA", "ESP", ...; all but
  the planted "Atlantis" resolve with `pycountry.countries.lookup`.
- Names vary by legal form ("Co., Ltd." / "Company Limited" / "Co Ltd"), one-letter typos, case,
  diacritics ("Sông Lam" / "Song Lam"), abbreviations ("Rd", "Ind.", "Dist.", "Gmts"), and
  coordinates are missing, exact, rounded or moved by up to ~450 m.
- A few rows in each file are deliberately bad (empty name, country "Atlantis", latitude "abc" or
  95, unknown scheme/category/severity, impossible dates, non-numeric counts). They are listed
  with the expected quarantine reason in `truth/bad_rows.csv`.

## Ground truth (`truth/`, not listed in the manifest)

- `facilities.csv`: every true facility (seed or SYNTHETIC) with its key, OS ID and brand lists.
- `facility_mentions.csv`: every facility mention in every file (file, row, true key, the name and
  country as written, whether the row should be quarantined).
- `planted_cases.yaml`: the planted cases: THREE_SPELLINGS, HIGH_RISK, UNIT_GUARD, MEDIUM_HIGH,
  WITHIN_LIST_DUPLICATES and BRAND_LIST_ONLY, with files, rows and spellings.
- `bad_rows.csv`: planted bad rows with column and expected reason code.

## Sources and licences

- Facility names, addresses and coordinates: Open Supply Hub public repository fixtures
  (see `demo/seeds/README.md`), licensed CC BY-SA 4.0, attribution "Open Supply Hub". The OS Hub
  download, the supplier lists, and the facility columns of the audit and worker-voice files are
  derived from them and are shared under CC BY-SA 4.0 as well. The OS IDs are generated.
- `reference/dol_tvpra_goods_2022.csv`: US Department of Labor, List of Goods Produced by Child
  Labor or Forced Labor (2022), a US Government work in the public domain, copied unchanged.
- `reference/trade_restriction_entities.csv`: real public entries of the US DHS UFLPA Entity List
  (https://www.dhs.gov/uflpa-entity-list) and of US CBP Withhold Release Orders and Findings
  (https://www.cbp.gov/trade/forced-labor/withhold-release-orders-and-findings), US Government
  works in the public domain. A small demo selection, not a compliance source: some CBP actions
  listed were later modified (for example Top Glove in 2021 and FGV Holdings in 2026); always
  check the official pages.
- Everything else (audits, grievances, surveys, supplier-list variations, planted facilities) is
  SYNTHETIC, generated for flrisk (Apache-2.0).
"""

DESCRIPTIONS = {
    "oshub/os_hub_facilities_download.csv": "Open Supply Hub facility download (real seed "
    "facilities, generated OS IDs, plus SYNTHETIC ones)",
    "supplier_lists/northwind_apparel_2026.csv": "brand supplier list, CSV UTF-8",
    "supplier_lists/bluefjord_outdoor_2026.xlsx": "brand supplier list, XLSX",
    "supplier_lists/casa_verde_home_2026.csv": "brand supplier list, CSV cp1252",
    "audits/social_audit_findings.csv": "SYNTHETIC social-audit findings (SMETA, amfori BSCI, "
    "SA8000, RBA VAP)",
    "worker_voice/grievance_cases.csv": "SYNTHETIC grievance cases (fake personal data)",
    "worker_voice/survey_aggregates.csv": "SYNTHETIC worker-survey aggregates",
    "reference/dol_tvpra_goods_2022.csv": "US DOL goods list 2022 (copied as is)",
    "reference/trade_restriction_entities.csv": "UFLPA Entity List and CBP WRO/Finding entries",
}


def bundle_readme(counts: dict[str, int]) -> str:
    """Return README.md for the bundle, with the data-row count of each file."""
    table = "\n".join(f"| `{path}` | {count} | {DESCRIPTIONS[path]} |" for path, count in counts.items())
    return TEMPLATE.format(table=table)
