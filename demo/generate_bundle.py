"""Generate the flrisk demo bundle (demo/bundle/) deterministically from demo/seeds/.

Run: `uv run --frozen python -m demo.generate_bundle [--out DIR]`. Re-running gives byte-identical
files: every random choice comes from streams seeded with 20261123 and nothing reads the clock.
The truth/ folder (ground truth for tests and benchmarks) is written but not listed in the manifest.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from demo import audits, oshub, supplier_lists, worker_voice
from demo.cases import write_truth
from demo.facilities import SEED, load_universe
from demo.output import Truth, write_csv
from demo.plan import make_plan
from demo.readme import bundle_readme
from demo.reference import write_reference

DEFAULT_OUT = Path(__file__).parent / "bundle"
MANIFEST_FILES = [  # path, source_type, contributor, received_at, comment
    (oshub.PATH, "oshub_download", "Open Supply Hub", "2026-11-01", ""),
    (supplier_lists.PATHS["Northwind Apparel"], "supplier_list", "Northwind Apparel", "2026-10-15", "UTF-8"),
    (
        supplier_lists.PATHS["Bluefjord Outdoor"],
        "supplier_list",
        "Bluefjord Outdoor",
        "2026-10-20",
        "XLSX, first sheet",
    ),
    (
        supplier_lists.PATHS["Casa Verde Home"],
        "supplier_list",
        "Casa Verde Home",
        "2026-10-22",
        "cp1252, CRLF, header case/spacing varies",
    ),
    (audits.PATH, "social_audit", "Demo audit exports", "2026-11-05", ""),
    (worker_voice.GRIEVANCE_PATH, "worker_voice_grievance", "Demo worker-voice programme", "2026-11-10", ""),
    (worker_voice.SURVEY_PATH, "worker_voice_survey", "Demo worker-voice programme", "2026-11-10", ""),
    ("reference/dol_tvpra_goods_2022.csv", "reference_dol_goods", "US Department of Labor", "2026-09-30", ""),
    ("reference/trade_restriction_entities.csv", "reference_entity_list", "US DHS / CBP", "2026-09-30", ""),
]


def manifest_text() -> str:
    """Return manifest.yaml in the exact layout of the spec (comments included)."""
    lines = ["bundle: flrisk-demo", f"generated_with_seed: {SEED}", "files:"]
    for path, source_type, contributor, received_at, comment in MANIFEST_FILES:
        suffix = f"  # {comment}" if comment else ""
        lines += [
            f"  - path: {path}{suffix}",
            f"    source_type: {source_type}",
            f"    contributor: {contributor}",
            f"    received_at: {received_at}",
        ]
    return "\n".join(lines) + "\n"


def prepare(out: Path) -> None:
    """Empty the output folder, refusing to delete a folder that is not a bundle."""
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.yaml").exists():
            raise SystemExit(f"{out} is not empty and holds no manifest.yaml; not touching it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def generate(out: Path = DEFAULT_OUT) -> dict[str, int]:
    """Write the whole bundle into `out`; return data-row counts per bundle file."""
    prepare(out)
    plan = make_plan(load_universe())
    truth = Truth()
    counts: dict[str, int] = {}
    rows = oshub.build_rows(plan.oshub, truth)
    write_csv(out / oshub.PATH, oshub.HEADER, rows)
    counts[oshub.PATH] = len(rows)
    counts.update(supplier_lists.write_lists(plan.lists, out, truth, plan.three_spellings.key))
    audit_rows = audits.audit_rows(plan.audits, truth)
    write_csv(out / audits.PATH, audits.HEADER, audit_rows)
    counts[audits.PATH] = len(audit_rows)
    grievances = worker_voice.grievance_rows(plan.grievances, truth)
    write_csv(out / worker_voice.GRIEVANCE_PATH, worker_voice.GRIEVANCE_HEADER, grievances)
    counts[worker_voice.GRIEVANCE_PATH] = len(grievances)
    surveys = worker_voice.survey_rows(plan.surveys, truth)
    write_csv(out / worker_voice.SURVEY_PATH, worker_voice.SURVEY_HEADER, surveys)
    counts[worker_voice.SURVEY_PATH] = len(surveys)
    counts.update(write_reference(out))
    write_truth(out, plan, truth, audit_rows)
    (out / "manifest.yaml").write_text(manifest_text(), encoding="utf-8")
    (out / "README.md").write_text(bundle_readme(counts), encoding="utf-8")
    return counts


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args()
    for path, count in generate(args.out).items():
        print(f"{count:6d}  {path}")


if __name__ == "__main__":
    main()
