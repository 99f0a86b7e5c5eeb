"""Sensors: start the pipeline when the set of received files changes."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from assets.resources import SourcesResource
from pipelines.inbox import accept, pending_files
from pipelines.run_tags import cause_tags


def file_digests(sources: SourcesResource) -> dict[str, str]:
    """Every listed file's path -> digest of its type and bytes (`<missing>` for a file not there)."""
    digests = {}
    for entry in sorted(sources.entries(), key=lambda e: e.relative_path):
        content = entry.path.read_bytes() if entry.path.is_file() else b"<missing>"
        digests[entry.relative_path] = hashlib.sha256(
            f"{entry.source_type}|".encode() + hashlib.sha256(content).digest()
        ).hexdigest()
    return digests


def fingerprint(digests: dict[str, str]) -> str:
    """One digest of every listed file's path, type and bytes: it changes when anything received changes."""
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


def changed_files(cursor: str | None, digests: dict[str, str]) -> list[str]:
    """Files added, changed or removed since the state in `cursor` (all of them for an old cursor)."""
    try:
        before = json.loads(cursor)["files"] if cursor else {}
    except (ValueError, TypeError, KeyError):
        before = {}
    return sorted(path for path in before.keys() | digests.keys() if before.get(path) != digests.get(path))


def build_manifest_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """One run of `job` per new state of the manifest's files (the run key is the fingerprint)."""

    @dg.sensor(
        name="received_files_changed",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Runs refresh_all once for each new state of the files listed in the source manifest.",
    )
    def received_files_changed(context: dg.SensorEvaluationContext, sources: SourcesResource):
        digests = file_digests(sources)
        changed = changed_files(context.cursor, digests)
        if not changed:
            return dg.SkipReason("no received file changed since the last run request")
        context.update_cursor(json.dumps({"files": digests}))
        senders = {entry.relative_path: entry.contributor for entry in sources.entries()}
        contributors = [senders[path] for path in changed if senders.get(path)]
        return dg.RunRequest(
            run_key=fingerprint(digests), tags=cause_tags("received_files_changed", changed, contributors)
        )

    return received_files_changed


def build_inbox_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """One run of `job` per file dropped into `$FLRISK_HOME/inbox/<kind>/` (see `pipelines.inbox`)."""

    @dg.sensor(
        name="inbox_files",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Loads each file dropped into $FLRISK_HOME/inbox/<kind>/ (or "
        "inbox/<kind>/<contributor>/), then moves it to processed/ or failed/ (with the reason); one run "
        "per accepted file, tagged with the file and its contributor. On by default: `flrisk dev` runs it.",
    )
    def inbox_files(context: dg.SensorEvaluationContext):
        requests = []
        for kind, path in pending_files():
            outcome = accept(kind, path)
            if outcome.accepted and outcome.run_key is None:
                context.log.info(f"inbox: {kind}/{outcome.name} was already received as {outcome.detail}")
            elif outcome.accepted:
                context.log.info(f"inbox: {kind}/{outcome.name} registered as {outcome.detail}")
                tags = cause_tags("inbox", [outcome.detail], [outcome.contributor or ""])
                requests.append(
                    dg.RunRequest(run_key=outcome.run_key, tags={"flrisk/inbox_file": outcome.detail} | tags)
                )
            else:
                context.log.warning(f"inbox: {kind}/{outcome.name} moved to failed/: {outcome.detail}")
        return requests or dg.SkipReason("no new file in the inbox")

    return inbox_files
