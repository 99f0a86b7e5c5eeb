"""The Dagster instance a `flrisk` command runs jobs on: the persistent one under `$FLRISK_HOME/dagster`,
with an event log that writes the same SQLite files as Dagster's own, only far cheaper per event.

Dagster's SQLite event log opens a new engine and connection for every event it stores (a run of a
small load stores ~200 events, ~650 commits) and each commit waits for the disk (`synchronous=FULL`);
closing the last connection to a file checkpoints its write-ahead log and deletes it, another wait.
On this machine that was ~2,000 fsyncs, several seconds of a 10-row load (benchmarks/small_load.py).
`ReusedConnectionEventLogStorage` keeps one engine per file for the life of the instance, so the
write-ahead log stays open between events, and sets `synchronous=NORMAL` (SQLite's recommended
setting in WAL mode: a commit is durable once the log is checkpointed; a power cut can lose the last
events, never corrupt the file). The files and their schema are Dagster's own: the UI, the daemon
and `dagster` commands read and write them with the stock storage as before.

Only the instance of a command's own runs uses it (`command_instance`); a `dagster.yaml` that
configures another storage (PostgreSQL, say) is used as it is.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

ENGINES_KEPT = 8  # run files stay open while their run writes; a long-lived process keeps a few
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class ReusedConnectionEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one pooled engine per shard file and `synchronous=NORMAL`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> ReusedConnectionEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, created once (the least recently used beyond ENGINES_KEPT is closed)."""
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _relaxed_sync)
            self._engines[shard] = engine
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()


def _relaxed_sync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def command_instance() -> dg.DagsterInstance:
    """The persistent instance at `$DAGSTER_HOME` (see `warehouse.home.prepare_dagster_home`), with
    `ReusedConnectionEventLogStorage` when its `dagster.yaml` leaves storage at Dagster's SQLite default."""
    home = os.environ["DAGSTER_HOME"]
    config = Path(home) / "dagster.yaml"
    configured = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    if any(key in (configured or {}) for key in STORAGE_KEYS):
        return dg.DagsterInstance.get()
    storage = {
        "module": __name__,
        "class": ReusedConnectionEventLogStorage.__name__,
        "config": {"base_dir": str(Path(home) / "history" / "runs")},
    }
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides={"event_log_storage": storage}))
