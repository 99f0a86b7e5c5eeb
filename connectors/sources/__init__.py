"""One module (or small package) per source, named after it: declared spec, fetch (I/O), pure standardise."""

from __future__ import annotations


def worker_voice_headers() -> frozenset[str]:
    """Every column a worker-voice source declares: a header an error may quote (never a cell). It lives
    here, beside both worker-voice sources, because sources never import each other."""
    from connectors.sources.worker_voice_grievances import GRIEVANCE_SPEC
    from connectors.sources.worker_voice_surveys import SURVEY_SPEC

    specs = (GRIEVANCE_SPEC, SURVEY_SPEC)
    return frozenset(name for spec in specs for name in (*spec.required, *spec.optional, *spec.sensitive))
