"""A local fake Open Supply Hub: real HTTP on 127.0.0.1 (ephemeral port), recorded-shape data,
scripted faults. Not a mock of flrisk's client: the client under test speaks HTTP to it.

Endpoints: ``/api/v1/production-locations/`` (sorted by name then os_id, ``size``,
``search_after[value]``/``search_after[id]``, ``country`` = exact ``country.alpha_2``),
``/api/facilities/`` (GeoJSON, ``countries``, ``page``/``pageSize``, pages above 100 refused) and
``/api/moderation-events/merge/`` (404 ``{"detail": "Not found."}`` when no merge matches, as OS
Hub answers). Every
request needs ``Authorization: Token <token>``; faults queued with :meth:`FakeOsHub.fail` are
served, in order, to the next requests they match.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

MAX_PAGE = 100
NOT_FOUND_PAGE = (
    b"<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>"
)
Params = dict[str, str]


@dataclass
class Fault:
    """One scripted misbehaviour: ``kind`` is "status", "slow" or "truncated"."""

    path: str
    kind: str
    times: int = 1
    status: int = 500
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    when: Callable[[Params], bool] | None = None

    def matches(self, path: str, params: Params) -> bool:
        return self.times > 0 and path == self.path and (self.when is None or self.when(params))


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str
    params: Params
    authorization: str | None


class FakeOsHub:
    """Serve ``locations`` (production-location records), ``features`` (GeoJSON features per
    country code) and ``merges`` (merge events) over HTTP."""

    def __init__(
        self,
        token: str,
        locations: list[dict[str, Any]] | None = None,
        features: dict[str, list[dict[str, Any]]] | None = None,
        merges: list[dict[str, Any]] | None = None,
    ) -> None:
        self.token = token
        self.locations = sorted(locations or [], key=_location_key)
        self.features = features or {}
        self.merges = merges or []
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeOsHub:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, path: str, kind: str = "status", **options: Any) -> Fault:
        """Queue a fault for the next request(s) to ``path`` (see :class:`Fault`)."""
        fault = Fault(path, kind, **options)
        self.faults.append(fault)
        return fault

    def calls(self, path: str | None = None) -> list[Seen]:
        """Requests received so far (to ``path`` only, when given)."""
        with self._lock:
            return [seen for seen in self.seen if path is None or seen.path == path]

    def respond(
        self, path: str, params: Params, authorization: str | None
    ) -> tuple[int, dict, Any, Fault | None]:
        """(status, headers, JSON body, fault) for one request."""
        with self._lock:
            self.seen.append(Seen(path, params, authorization))
            fault = next((f for f in self.faults if f.matches(path, params)), None)
            if fault is not None:
                fault.times -= 1
        if authorization != f"Token {self.token}":
            detail = "Invalid token." if authorization else "Authentication credentials were not provided."
            return 401, {}, {"detail": detail}, None
        if fault is not None and fault.kind == "status":
            return fault.status, fault.headers, fault.body or {"detail": "A server error occurred."}, None
        routes = {
            "/api/v1/production-locations/": self._production_locations,
            "/api/facilities/": self._facilities,
            "/api/moderation-events/merge/": self._merges,
        }
        if path not in routes:  # Django's own 404 page (DEBUG off), not REST framework JSON
            return 404, {"Content-Type": "text/html"}, NOT_FOUND_PAGE, None
        status, body = routes[path](params)
        return status, {}, body, fault

    def _production_locations(self, params: Params) -> tuple[int, Any]:
        size = int(params.get("size", "10"))
        if size > 250 or params.get("sort_by", "name") != "name" or params.get("order_by", "asc") != "asc":
            return 400, {"detail": "unsupported size or sort in the fake"}
        matching = self.locations
        if "country" in params:  # a terms filter on country.alpha_2, as OS Hub's query builder does
            matching = [row for row in matching if _alpha_2(row) == params["country"]]
        rows = matching
        if "search_after[id]" in params:
            after = (params.get("search_after[value]", ""), params["search_after[id]"])
            rows = [row for row in rows if _location_key(row) > after]
        return 200, {"count": len(matching), "data": rows[:size]}

    def _facilities(self, params: Params) -> tuple[int, Any]:
        page, size = int(params.get("page", "1")), int(params.get("pageSize", "50"))
        if page > MAX_PAGE:
            return 400, {"detail": f"page {page} is beyond the maximum of {MAX_PAGE} pages"}
        rows = self.features.get(params.get("countries", ""), [])
        start = (page - 1) * size

        def link(number: int) -> str | None:
            return f"{self.base_url}/api/facilities/?{urlencode({**params, 'page': number})}"

        return 200, {
            "type": "FeatureCollection",
            "count": len(rows),
            "next": link(page + 1) if start + size < len(rows) else None,
            "previous": link(page - 1) if page > 1 else None,
            "features": rows[start : start + size],
        }

    def _merges(self, params: Params) -> tuple[int, Any]:
        since = params.get("date_greater_than_or_equal", "")
        events = [event for event in self.merges if event["merge_date"][:10] >= since]
        if not events:  # OS Hub raises DRF's NotFound when the range holds no merge
            return 404, {"detail": "Not found."}
        return 200, events


def _location_key(row: dict[str, Any]) -> tuple[str, str]:
    """OpenSearch order for sort_by=name: name keyword, then os_id; a missing name sorts last."""
    name = row.get("name")
    return (name if isinstance(name, str) else "\U0010ffff", str(row.get("os_id", "")))


def _alpha_2(row: dict[str, Any]) -> str | None:
    country = row.get("country")
    return country.get("alpha_2") if isinstance(country, dict) else None


def _handler_for(fake: FakeOsHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            params = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
            status, headers, body, fault = fake.respond(url.path, params, self.headers.get("Authorization"))
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault is not None and fault.kind == "truncated":
                data = data[: len(data) // 2]
            try:
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base)
            return

    return Handler


class FakeClock:
    """Injectable clock and sleep: ``sleep`` records the wait and advances time, never blocks."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:  # 2027-01-15 08:00 UTC
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oshub_api"


def recorded(file_name: str) -> Any:
    """A recorded-shape fixture from tests/fixtures/oshub_api (a fresh copy on every call)."""
    return json.loads((FIXTURES / file_name).read_text(encoding="utf-8"))
