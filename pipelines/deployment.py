"""The production code location: the same assets, checks, schedules and sensors, with every job's
steps run as Kubernetes Jobs (`k8s_job_executor`, dagster-k8s).

Load it instead of `pipelines.definitions` (`dagster api grpc --module-name pipelines.deployment`, as
`deploy/helm/values.yaml` does). The executor runs one step at a time: the embedded DuckDB warehouse
has one writer, so parallel step pods would only queue on its lock. Instance storage (Postgres), the run
launcher and the run queue are configured in `deploy/dagster.yaml`, not here. See docs/deployment.md.
"""

from __future__ import annotations

import dagster as dg
from dagster_k8s import k8s_job_executor

from pipelines.definitions import build_definitions

STEP_EXECUTOR_CONFIG = {"max_concurrent": 1, "job_namespace": "flrisk"}


def kubernetes_executor() -> dg.ExecutorDefinition:
    """`k8s_job_executor`, configured for flrisk: one step pod at a time, in the flrisk namespace."""
    return k8s_job_executor.configured(STEP_EXECUTOR_CONFIG, name="k8s_job_executor")


def kubernetes_definitions() -> dg.Definitions:
    """flrisk's definitions with jobs on the Kubernetes step executor."""
    return build_definitions(executor=kubernetes_executor())


defs = kubernetes_definitions()
