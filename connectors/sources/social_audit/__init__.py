"""The social-audit export source (raw.social_audit): every export shape's findings, audits and facilities."""

from connectors.sources.social_audit.findings import standardise
from connectors.sources.social_audit.shapes import SOURCE_TYPE

__all__ = ["SOURCE_TYPE", "standardise"]
