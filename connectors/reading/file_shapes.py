"""File-level checks before anything is registered: does this file have data rows, and the columns of
the kind it is loaded as?

A header-only file, a file that lacks a required column, or a file of another kind (a supplier list
loaded as audits) is ONE problem of the file, not one problem per row: :func:`check_file_shape` raises
one :class:`MalformedFileError` (``no_data_rows``, ``missing_required_column``, ``wrong_kind``) naming
the file, what is missing, the columns found and, where a header looks like a missing column
("Facility Name" for ``name``), the rename that fixes it. flrisk never maps such a header by itself:
a guess could stage an address as a name.

``KINDS`` (the kinds ``flrisk load`` and ``flrisk check-list --kind`` take) lives here so the
connectors can name the right kind in a message; ``warehouse.received`` re-exports it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from connectors.headers import HeaderConflictError, SourceSpec, map_headers, normalise_header
from connectors.layouts import Layout, detect_layout, reference_layouts
from connectors.reading.errors import MalformedFileError
from connectors.sources import oshub_download, supplier_list, worker_voice_grievances, worker_voice_surveys
from connectors.sources.social_audit.shapes import audit_layouts

KINDS = {
    "supplier-list": "supplier_list",
    "oshub-download": "oshub_download",
    "audits": "social_audit",
    "worker-voice": "worker_voice",
    "reference-dol-goods": "reference_dol_goods",
    "reference-entity-list": "reference_entity_list",
    "reference-country-risk": "reference_country_risk",
}
SPECS: dict[str, SourceSpec] = {
    "supplier_list": supplier_list.SPEC,
    "oshub_download": oshub_download.SPEC,
    "worker_voice_grievance": worker_voice_grievances.GRIEVANCE_SPEC,
    "worker_voice_survey": worker_voice_surveys.SURVEY_SPEC,
}
# Headers people use for a column that OS Hub's template names otherwise (suggested, never mapped).
SYNONYMS = {
    "name": ("facility_name", "supplier_name", "factory_name", "company_name", "site_name", "vendor_name"),
    "address": ("facility_address", "full_address", "street_address", "address_line_1", "location"),
    "country": ("country_name", "country_code", "nation", "facility_country"),
    "lat": ("latitude",),
    "lng": ("longitude", "lon", "long"),
    "os_id": ("os_hub_id", "oshub_id", "open_supply_hub_id"),
}


def kind_of(source_type: str) -> str:
    """The `flrisk load` kind that reads `source_type`."""
    base = "worker_voice" if source_type.startswith("worker_voice") else source_type
    return next(kind for kind, target in KINDS.items() if target == base)


def missing_columns(headers: Sequence[str], source_type: str) -> tuple[str, ...]:
    """The required columns a file with `headers` lacks to be read as `source_type` (() = it fits)."""
    if source_type == "worker_voice":
        found = [missing_columns(headers, t) for t in ("worker_voice_grievance", "worker_voice_survey")]
        return min(found, key=len)
    if source_type in SPECS:
        try:
            return map_headers(headers, SPECS[source_type]).missing
        except HeaderConflictError:
            return ()  # two headers meaning one field: the run sets the file aside with that reason
    layouts = audit_layouts() if source_type == "social_audit" else reference_layouts(source_type)
    return _layout_missing(headers, detect_layout(headers, layouts))


def _layout_missing(headers: Sequence[str], layout: Layout) -> tuple[str, ...]:
    """Required fields of a layout no header provides, each named by the column(s) that would."""
    present = {layout.columns[normalise_header(h)] for h in headers if normalise_header(h) in layout.columns}
    present |= set(layout.constants)
    missing = []
    for field in layout.required:
        if field not in present:
            columns = [column for column, target in layout.columns.items() if target == field]
            missing.append(" or ".join(columns))
    return tuple(missing)


def suggestions(headers: Sequence[str], missing: Sequence[str]) -> list[str]:
    """'Facility Name' -> name style hints: a header that is a known synonym or close in spelling."""
    hints = []
    for column in missing:
        field = column.split(" or ")[0]
        for header in headers:
            normalised = normalise_header(header)
            close = difflib.get_close_matches(normalised, [field], n=1, cutoff=0.75)
            if normalised in SYNONYMS.get(field, ()) or close:
                hints.append(f"'{header}' -> rename it to '{field}'")
                break
    return hints


def check_file_shape(headers: Sequence[str], row_count: int, source_type: str, source_file: str) -> None:
    """Raise one MalformedFileError when the file has no data rows or is not a `source_type` file."""
    missing = missing_columns(headers, source_type)
    if missing:
        kind = kind_of(source_type)
        others = [
            k for k, target in KINDS.items() if target != KINDS[kind] and not missing_columns(headers, target)
        ]
        found = ", ".join(headers)
        names = ", ".join(repr(m) for m in missing)
        plural = "s" if len(missing) > 1 else ""
        if others:
            raise MalformedFileError(
                source_file,
                1,
                None,
                f"this is not a file of kind {kind} (it has no {names} column{plural}) but "
                f"looks like a {others[0]} file: load it with `flrisk load {others[0]} FILE`; found: {found}",
                "wrong_kind",
            )
        hints = suggestions(headers, missing)
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        raise MalformedFileError(
            source_file,
            1,
            None,
            f"no {names} column{plural} for a file of kind {kind}; found: {found}{hint}",
            "missing_required_column",
        )
    if row_count == 0:
        raise MalformedFileError(
            source_file, 2, None, "the file has a header but no data rows: nothing to load", "no_data_rows"
        )
