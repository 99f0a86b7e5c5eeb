"""Where to publish: a `postgresql://USER@HOST:PORT/DB` URL, checked before any connection.

The password never travels in the URL (it would show in shell history, process lists and logs):
libpq reads it from `PGPASSWORD`, `~/.pgpass` (`PGPASSFILE`) or a service file (`PGSERVICEFILE`,
`?service=NAME`). A URL carrying one is refused without repeating it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

SCHEMES = ("postgresql", "postgres")
SECRET_PARAMETERS = ("password", "passfile")


class TargetError(ValueError):
    """The target URL cannot be used; the message names the fix and never contains a password."""


@dataclass(frozen=True)
class PostgresTarget:
    """A checked PostgreSQL URL without a password; `label` is safe to print and log."""

    url: str
    label: str


def parse_target(url: str) -> PostgresTarget:
    """Check `url` and return it with a printable label; `TargetError` when it has a password, is not
    a postgresql:// URL, or names no database and no service."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise TargetError(
            "the target must be a postgresql://USER@HOST:PORT/DB URL (got a URL with scheme "
            f"{parts.scheme or 'none'!r})"
        )
    query = dict(parse_qsl(parts.query))
    if parts.password is not None or any(name in query for name in SECRET_PARAMETERS):
        raise TargetError(
            "the PostgreSQL URL contains a password: remove it from the URL and set PGPASSWORD, a "
            "~/.pgpass entry or a service file (PGSERVICEFILE) instead; never put it on the command line"
        )
    database = parts.path.lstrip("/")
    if not database and "service" not in query and "dbname" not in query:
        raise TargetError("the PostgreSQL URL names no database: postgresql://USER@HOST:PORT/DB")
    host = parts.hostname or query.get("host", "localhost")
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    where = (
        f"service {query['service']}" if "service" in query and not database else f"{host}{port}/{database}"
    )
    return PostgresTarget(url=url.strip(), label=f"{user}{where}")
