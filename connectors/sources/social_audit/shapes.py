"""The social-audit export shapes flrisk reads, as data (``connectors/reference``):

* ``audit_export_shapes.csv``: shape -> the scheme it implies (empty: the file names it per row);
* ``audit_export_columns.csv``: shape, file column, canonical field, required;
* ``amfori_bsci_performance_areas.csv``: amfori BSCI performance area -> its rating and
  zero-tolerance fields and the finding category it is filed under.

Shapes: ``flrisk`` (the canonical CSV the demo uses), ``smeta_nc`` (Sedex/SMETA-style
non-compliance export), ``rba_vap`` (RBA VAP-style findings export), ``amfori_bsci`` (one row per
audit with an A-E rating and a zero-tolerance flag per performance area). The vendor shapes are
flrisk's reading of those exports' documented content, not copies of a vendor file specification.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from connectors.layouts import Layout, load_layouts
from connectors.vocabulary import category_entry, read_reference_csv

SOURCE_TYPE = "social_audit"
PER_AUDIT_SHAPES = frozenset({"amfori_bsci"})  # one row per audit, findings derived from ratings


class PerformanceArea(NamedTuple):
    """One amfori BSCI performance area and where its rating and zero-tolerance flag live."""

    area: str
    rating_field: str
    zero_tolerance_field: str
    category: str


@cache
def audit_layouts() -> dict[str, Layout]:
    """Every audit export shape, keyed by name, with its implied scheme as a constant field."""
    schemes = {row["shape"]: row["scheme"] for row in read_reference_csv("audit_export_shapes.csv")}
    constants = {shape: {"scheme": scheme} for shape, scheme in schemes.items() if scheme}
    layouts = load_layouts("audit_export_columns.csv", SOURCE_TYPE, constants)
    if set(layouts) != set(schemes):
        raise ValueError("audit_export_columns.csv and audit_export_shapes.csv list different shapes")
    return layouts


@cache
def performance_areas() -> tuple[PerformanceArea, ...]:
    """The amfori BSCI performance areas in order; every category must be in the vocabulary."""
    areas = tuple(PerformanceArea(**row) for row in read_reference_csv("amfori_bsci_performance_areas.csv"))
    columns = set(audit_layouts()["amfori_bsci"].columns.values())
    for area in areas:
        if category_entry(area.category) is None:
            raise ValueError(f"amfori_bsci_performance_areas.csv: unknown category {area.category!r}")
        if not {area.rating_field, area.zero_tolerance_field} <= columns:
            raise ValueError(f"audit_export_columns.csv lacks the amfori_bsci fields of {area.area}")
    return areas
