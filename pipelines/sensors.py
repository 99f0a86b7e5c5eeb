"""Sensors: start the pipeline when the set of received files changes."""

from __future__ import annotations

import hashlib

import dagster as dg

from connectors.manifest import read_manifest
from pipelines.resources import SourcesResource


def manifest_fingerprint(sources: SourcesResource) -> str:
    """A digest of every listed file's path, type and bytes: it changes when anything received changes."""
    digest = hashlib.sha256()
    for entry in sorted(read_manifest(sources.manifest_path), key=lambda e: e.relative_path):
        digest.update(f"{entry.relative_path}|{entry.source_type}|".encode())
        digest.update(hashlib.sha256(entry.path.read_bytes()).digest())
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
        return dg.RunRequest(run_key=fingerprint, tags={"flrisk/manifest": str(sources.manifest_path)})

    return received_files_changed
