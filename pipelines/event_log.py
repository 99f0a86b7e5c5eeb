"""The Dagster instance a `flrisk` command runs jobs on: the persistent one under `$FLRISK_HOME/dagster`,
with an event log that writes the same SQLite files as Dagster's own, only far cheaper per event.

Dagster's SQLite event log opens a new engine and connection for every event it stores (a run of a
small load stores ~200 events, ~650 commits) and each commit waits for the disk (`synchronous=FULL`);
closing the last connection to a file checkpoints its write-ahead log and deletes it, another wait.
On this machine that was ~2,000 fsyncs, several seconds of a 10-row load (benchmarks/small_load.py).
`ReusedConnectionEventLogStorage` keeps one engine per file for the life of the instance, so the
write-ahead log stays open between events, and sets `synchronous=NORMAL` (SQLite's recommended
setting in WAL mode: a commit is durable once the log is checkpointed; a power cut can lose the last
events, never corrupt the file). The ~60 events Dagster records when a run is created (a planned
materialization per asset, a planned evaluation per check) are marked by Dagster as one batch; with
`event_batching` they are stored in one transaction per file (`store_event_batch`) instead of
several each. A new run's file is a copy of an empty one Dagster's own code initialised (kept as
`history/.flrisk-empty-run-<dagster version>.db`), instead of ~50 statements that each wait on the
disk. The files and their schema are Dagster's own: the UI, the daemon and `dagster`
commands read and write them with the stock storage as before.

Only the instance of a command's own runs uses it (`command_instance`); a `dagster.yaml` that
configures another storage (PostgreSQL, say) is used as it is.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from pipelines.stamped_storage import StampedSqliteRunStorage, StampedSqliteScheduleStorage

ENGINES_KEPT = 8  # run files stay open while their run writes; a long-lived process keeps a few
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class ReusedConnectionEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one pooled engine per shard file and `synchronous=NORMAL`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._batch = threading.local()  # `connections` while a batch is being stored
        self._present: set[tuple[str, str]] = set()  # schema probes that answered yes
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
        batch = getattr(self._batch, "connections", None)
        if batch is not None:  # inside store_event_batch, on its thread (which holds the lock)
            if shard not in batch:
                batch[shard] = self._open(shard)
                batch[shard].begin()
            yield batch[shard]
            return
        with self._db_lock, self._open(shard) as conn, conn.begin():
            yield conn

    def _open(self, shard: str) -> Connection:
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            if shard != INDEX_SHARD_NAME and self._copied_from_template(shard):
                pass
            elif not _stamped(engine):
                self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine.connect()

    def _copied_from_template(self, shard: str) -> bool:
        """Create a new run's file as a copy of an empty run file that Dagster's own `_initdb` made
        (same tables, write-ahead log mode and schema revision), kept beside the runs folder per
        Dagster version: creating a run file's tables statement by statement waits on the disk
        for each (0.3-0.5 s a run here). False when the run's file already exists."""
        path = Path(self.path_for_shard(shard))
        if path.exists():
            return False
        template = Path(self._base_dir).parent / f".flrisk-empty-run-{dg.__version__}.db"
        if not template.is_file():
            self._make_template(template)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        shutil.copyfile(template, temporary)
        os.replace(temporary, path)
        return True

    def _make_template(self, template: Path) -> None:
        temporary = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        engine = create_engine(f"sqlite:///{temporary}", poolclass=NullPool)
        try:
            self._initdb(engine)
        finally:
            engine.dispose()
        for leftover in (Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(temporary, template)

    # Dagster asks the index file about its own schema before most reads and writes: ~400 questions
    # in a 10-row load, each a reflection query (`has_table` on a new engine every time). A table, a
    # column or a completed data migration, once present, stays for the life of this instance (the
    # schema only grows, by `dagster instance migrate`), so a yes is remembered; a no is asked again.

    def has_table(self, table_name: str) -> bool:
        return self._remembered(("table", table_name), super().has_table, table_name)

    def has_asset_key_col(self, column_name: str) -> bool:
        return self._remembered(("asset_key_column", column_name), super().has_asset_key_col, column_name)

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        ask = super()._has_asset_key_col_on_connection
        return self._remembered(("asset_key_column", column_name), ask, conn, column_name)

    def has_secondary_index(self, name: str) -> bool:
        return self._remembered(("secondary_index", name), super().has_secondary_index, name)

    def _remembered(self, question: tuple[str, str], ask, *arguments) -> bool:
        if question in self._present:
            return True
        answer = bool(ask(*arguments))
        if answer:
            self._present.add(question)
        return answer

    def store_event_batch(self, events) -> None:
        """Store a batch of events (Dagster sends the planned materializations and checks of a run as
        one, see `event_batching`) with one transaction per shard file instead of several per event:
        all of them are stored or none is (Dagster then stores them one by one)."""
        with self._db_lock:
            self._batch.connections = connections = {}
            try:
                for entry in events:
                    self.store_event(entry)
                for conn in connections.values():
                    conn.commit()
            except BaseException:
                for conn in connections.values():
                    conn.rollback()
                raise
            finally:
                self._batch.connections = None
                for conn in connections.values():
                    conn.close()

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()


def _stamped(engine: Engine) -> bool:
    """Whether the file's `alembic_version` names a revision. Dagster's `_initdb` then changes
    nothing (it creates and stamps the tables only when no revision is recorded), but first loads
    every migration script of its event log to learn the head revision (~40 ms per file)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version LIMIT 1")).first() is not None
    except OperationalError:
        return False


def _relaxed_sync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


EVENT_BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"  # read by Dagster when it stores an event
EVENT_BATCH_SIZE = 1000


@contextmanager
def event_batching() -> Iterator[None]:
    """Let Dagster hand the events it marks as a batch (the ~60 planned materializations and checks
    it records when a run is created) to the event log as one batch (`store_event_batch`) for the
    duration of the block; Dagster reads the setting from the environment, which is restored after."""
    before = os.environ.get(EVENT_BATCH_SIZE_ENV)
    os.environ[EVENT_BATCH_SIZE_ENV] = str(EVENT_BATCH_SIZE)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(EVENT_BATCH_SIZE_ENV, None)
        else:
            os.environ[EVENT_BATCH_SIZE_ENV] = before


def command_instance() -> dg.DagsterInstance:
    """The persistent instance at `$DAGSTER_HOME` (see `warehouse.home.prepare_dagster_home`), with
    `ReusedConnectionEventLogStorage` and the run and schedule storage of `pipelines.stamped_storage`
    when its `dagster.yaml` leaves storage at Dagster's SQLite default."""
    home = os.environ["DAGSTER_HOME"]
    config = Path(home) / "dagster.yaml"
    configured = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    if any(key in (configured or {}) for key in STORAGE_KEYS):
        return dg.DagsterInstance.get()
    root = Path(home)
    storages = {
        "event_log_storage": (ReusedConnectionEventLogStorage, root / "history" / "runs"),
        "run_storage": (StampedSqliteRunStorage, root / "history"),
        "schedule_storage": (StampedSqliteScheduleStorage, root / "schedules"),
    }
    overrides = {
        key: {"module": kind.__module__, "class": kind.__name__, "config": {"base_dir": str(base_dir)}}
        for key, (kind, base_dir) in storages.items()
    }
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides=overrides))
