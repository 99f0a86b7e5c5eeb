"""Run tags naming what caused a run: the files and the contributors who sent them, and the trigger.

Every run that flrisk starts carries `flrisk/trigger` (inbox, received_files_changed, demo, load,
refresh, ...), `flrisk/files` (the received files that caused it, as registered under `received/`)
and `flrisk/contributors` (who sent them), so the Dagster UI's run list says which file started a run
instead of "Manually launched". Long lists are cut to the first few names and a count.
"""

from __future__ import annotations

from collections.abc import Iterable

TRIGGER_TAG = "flrisk/trigger"
FILES_TAG = "flrisk/files"
CONTRIBUTORS_TAG = "flrisk/contributors"
CAUSE_TAGS = (TRIGGER_TAG, FILES_TAG, CONTRIBUTORS_TAG)  # also copied into failed-run alerts
SHOWN = 10  # names listed in one tag before "(+N more)"
SEPARATOR = "; "


def listed(names: Iterable[str]) -> str:
    """Distinct names in first-seen order, joined; beyond SHOWN, the rest as a count."""
    distinct = list(dict.fromkeys(str(name) for name in names if name))
    shown = SEPARATOR.join(distinct[:SHOWN])
    more = len(distinct) - SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown


def cause_tags(trigger: str, files: Iterable[str] = (), contributors: Iterable[str] = ()) -> dict[str, str]:
    """The tags of a run started by `trigger` for `files` sent by `contributors` ("-" when none)."""
    return {
        TRIGGER_TAG: trigger,
        FILES_TAG: listed(files) or "-",
        CONTRIBUTORS_TAG: listed(contributors) or "-",
    }
