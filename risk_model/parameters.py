"""Load the risk-model parameters (`parameters.yaml`) into one frozen, hashable object."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class RiskParameters:
    """All model parameters; `raw` keeps the YAML mapping for reports and reproducibility."""

    raw_json: str

    @property
    def raw(self) -> dict:
        return json.loads(self.raw_json)

    def __getitem__(self, key: str):
        return self.raw[key]

    @property
    def methodology_version(self) -> str:
        return self.raw["methodology_version"]


def load_parameters(path: Path | None = None) -> RiskParameters:
    """Parse a parameters file (default: the bundled `parameters.yaml`) and check the weights."""
    text = (path or HERE / "parameters.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    total = sum(data["component_weights"].values())
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"component_weights must sum to 1, got {total}")
    return RiskParameters(json.dumps(data, sort_keys=True))


@cache
def sector_goods() -> tuple[tuple[str, str], ...]:
    """(keyword, DOL good) pairs from `sector_goods.csv`."""
    with open(HERE / "sector_goods.csv", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple((row["keyword"], row["good"]) for row in rows)
