"""Brand supplier lists in Open Supply Hub's upload template, read and checked by OS Hub's own rules."""

from connectors.sources.supplier_list.source import FIELDS, SOURCE_TYPE, SPEC, standardise, standardise_rows

__all__ = ["FIELDS", "SOURCE_TYPE", "SPEC", "standardise", "standardise_rows"]
