"""Sensors: start the pipeline when the set of received files changes."""

from __future__ import annotations

import hashlib

import dagster as dg

from assets.resources import SourcesResource
from pipelines.inbox import accept, pending_files


def manifest_fingerprint(sources: SourcesResource) -> str:
    """A digest of every listed file's path, type and bytes: it changes when anything received changes."""
    digest = hashlib.sha256()
    for entry in sorted(sources.entries(), key=lambda e: e.relative_path):
        digest.update(f"{entry.relative_path}|{entry.source_type}|".encode())
        content = entry.path.read_bytes() if entry.path.is_file() else b"<missing>"
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


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
        fingerprint = manifest_fingerprint(sources)
        if context.cursor == fingerprint:
            return dg.SkipReason("no received file changed since the last run request")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint)

    return received_files_changed


def build_inbox_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """One run of `job` per file dropped into `$FLRISK_HOME/inbox/<kind>/` (see `pipelines.inbox`)."""

    @dg.sensor(
        name="inbox_files",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Loads each file dropped into $FLRISK_HOME/inbox/<kind>/, then moves it to processed/ "
        "or failed/ (with the reason); one run per accepted file.",
    )
    def inbox_files(context: dg.SensorEvaluationContext):
        requests = []
        for kind, path in pending_files():
            outcome = accept(kind, path)
            if outcome.accepted and outcome.run_key is None:
                context.log.info(f"inbox: {kind}/{outcome.name} was already received as {outcome.detail}")
            elif outcome.accepted:
                context.log.info(f"inbox: {kind}/{outcome.name} registered as {outcome.detail}")
                requests.append(
                    dg.RunRequest(run_key=outcome.run_key, tags={"flrisk/inbox_file": outcome.detail})
                )
            else:
                context.log.warning(f"inbox: {kind}/{outcome.name} moved to failed/: {outcome.detail}")
        return requests or dg.SkipReason("no new file in the inbox")

    return inbox_files
