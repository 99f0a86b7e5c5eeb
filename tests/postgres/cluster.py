"""A throw-away PostgreSQL server for tests and benchmarks: Debian's binaries, a temporary data
directory, a free port on 127.0.0.1, trust authentication (except `flrisk_publisher`, who
needs a password over TCP, to test that flrisk takes it from PGPASSWORD), stopped and deleted afterwards.

The server refuses to run as root, so when this process is root the cluster runs as an unprivileged
system user (`postgres` when it exists, else `nobody`) that owns the temporary directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BINARY_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
SUPERUSER = "postgres"
# Connections over TCP as this role need its password (scram-sha-256); every other role is trusted.
PASSWORD_ROLE = "flrisk_publisher"
UNPRIVILEGED_USERS = ("postgres", "nobody")


@dataclass(frozen=True)
class Cluster:
    """A running server: where it listens and how to reach it as its superuser (no password)."""

    host: str
    port: int
    superuser: str
    socket_dir: Path

    def url(self, database: str = "postgres", user: str | None = None) -> str:
        """A password-less `postgresql://` URL, as `flrisk publish --to` takes it."""
        return f"postgresql://{user or self.superuser}@{self.host}:{self.port}/{database}"


def find_binaries() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`, or None when PostgreSQL is not installed."""
    candidates = [*BINARY_DIRS]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for directory in candidates:
        if (Path(directory) / "initdb").is_file() and (Path(directory) / "pg_ctl").is_file():
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_user() -> str | None:
    """The user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


def _as(user: str | None, command: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


@contextmanager
def temporary_cluster(binaries: Path, *, durable: bool = False, start_timeout: int = 60) -> Iterator[Cluster]:
    """initdb + pg_ctl start on a free port; stop (fast) and delete everything on exit. Tests run
    with `fsync=off` (nothing to keep); `durable=True` keeps the server's defaults (benchmarks)."""
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="flrisk-pg-"))
    root.chmod(0o755)
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data = root / "data"
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True, "cwd": root}
    try:
        subprocess.run(
            _as(
                user,
                [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8"],
            ),
            **quiet,
        )
        hba = data / "pg_hba.conf"
        rules = f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
        subprocess.run(
            _as(user, ["sh", "-c", f"printf '%s' '{rules}' | cat - {hba} > {hba}.new && mv {hba}.new {hba}"]),
            **quiet,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1" + ("" if durable else " -c fsync=off")
        subprocess.run(
            _as(
                user,
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(start_timeout),
                    "start",
                ],
            ),
            **quiet,
        )
        yield Cluster(host="127.0.0.1", port=port, superuser=SUPERUSER, socket_dir=root)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as(user, [str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=root,
            )
        shutil.rmtree(root, ignore_errors=True)
