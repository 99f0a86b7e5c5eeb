"""HTTP client for the Open Supply Hub API: authentication, rate limits, retries.

The only I/O of the OS Hub API sources (``pull`` and ``connectors.sources.oshub_merges``). Invariants:

* The token is sent as ``Authorization: Token <key>`` and nowhere else: never in URLs, log
  records, exception messages or reprs (any server text quoted in a message is redacted).
* Every HTTP attempt, retries included, first passes the :class:`RateLimiter` (OS Hub allows
  100 calls a minute and 10,000 a day); the day's count can be restored from a checkpoint.
* 429 honours ``Retry-After``; 5xx, timeouts, transport errors and unparseable JSON are retried
  with bounded exponential backoff; other statuses raise at once, explained from the server's own
  body (``connectors.sources.oshub_api.errors``): 401 :class:`OsHubAuthError` (the token), 402 "API
  limit exceeded" :class:`OsHubQuotaError` (stop for the day, resume later), 402/403 otherwise
  :class:`OsHubPermissionError` (the account may not do this), 404 :class:`OsHubNotFoundError`.
* Clock and sleep are injectable, so tests never really wait.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

from connectors.sources.oshub_api.errors import (
    OsHubAuthError,
    OsHubError,
    OsHubNotFoundError,
    OsHubPermissionError,
    OsHubQuotaError,
    OsHubResponseError,
    describe_body,
    refusal,
)

__all__ = [
    "OsHubAuthError",
    "OsHubClient",
    "OsHubError",
    "OsHubNotFoundError",
    "OsHubPermissionError",
    "OsHubQuotaError",
    "OsHubResponseError",
    "RateLimiter",
    "RetryPolicy",
]

DEFAULT_BASE_URL = "https://opensupplyhub.org"
Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: attempt n waits min(backoff_max, backoff_base * 2**(n-1)) seconds."""

    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 30.0  # seconds, per request
    max_retry_after: float = 300.0  # a longer 429 Retry-After raises OsHubQuotaError

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))


class RateLimiter:
    """Client-side limits: at most ``per_minute`` calls in any 60 s, ``per_day`` per UTC day."""

    def __init__(
        self,
        per_minute: int = 100,
        per_day: int = 10_000,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.per_minute, self.per_day = per_minute, per_day
        self._clock, self._sleep = clock, sleep
        self._recent: deque[float] = deque()
        self._day = self._today()
        self._calls_today = 0

    def _today(self) -> str:
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC).date().isoformat()

    @property
    def usage(self) -> tuple[str, int]:
        """(UTC day as ISO date, calls made that day)."""
        if self._today() != self._day:
            self._day, self._calls_today = self._today(), 0
        return self._day, self._calls_today

    def restore(self, day: str | None, calls: int) -> None:
        """Carry a checkpoint's count of calls into this limiter when it is for today."""
        today, used = self.usage
        if day == today:
            self._calls_today = max(used, calls)

    def acquire(self) -> None:
        """Wait until one more call is allowed and count it; raise OsHubQuotaError for the day."""
        _, used = self.usage
        if used >= self.per_day:
            raise OsHubQuotaError(
                f"daily limit of {self.per_day} Open Supply Hub API calls reached for {self._day} (UTC); "
                "resume from the last checkpoint tomorrow"
            )
        while True:
            now = self._clock()
            while self._recent and self._recent[0] <= now - 60.0:
                self._recent.popleft()
            if len(self._recent) < self.per_minute:
                break
            self._sleep(self._recent[0] + 60.0 - now)
        self._recent.append(now)
        self._calls_today += 1


class OsHubClient:
    """GET JSON from OS Hub with the token, the limiter and the retry policy."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        if not token or not token.strip():
            raise OsHubAuthError("Open Supply Hub token missing or rejected: no token was given")
        self._token = token.strip()
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter(clock=clock, sleep=sleep)
        self._clock, self._sleep = clock, sleep
        import httpx  # only a client needs it (~0.2 s to import, with rich and pygments)

        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Token {self._token}", "Accept": "application/json"},
            timeout=self.retry.timeout,
            follow_redirects=False,  # a redirect to another host must not receive the token
        )

    def __repr__(self) -> str:
        return f"OsHubClient(base_url={self.base_url!r}, token=<hidden>)"

    def __enter__(self) -> OsHubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None, where: str = "") -> Any:
        """GET ``path`` and return its JSON body; ``where`` names the page in error messages."""
        import httpx

        label = f"GET {path}" + (f" ({where})" if where else "")
        last_problem = "no attempt made"
        for attempt in range(1, self.retry.max_attempts + 1):
            self.limiter.acquire()
            wait: float | None = None
            try:
                response = self._http.get(path, params=dict(params or {}))
            except httpx.TimeoutException:
                last_problem = f"timed out after {self.retry.timeout:g} s"
            except httpx.TransportError as exc:
                last_problem = f"connection failed ({type(exc).__name__})"
            else:
                outcome = self._outcome(response, label)
                if isinstance(outcome, _Value):
                    return outcome.value
                last_problem, wait = outcome.problem, outcome.wait
            if attempt < self.retry.max_attempts:
                self._sleep(self.retry.backoff(attempt) if wait is None else wait)
        raise OsHubResponseError(
            f"{label}: gave up after {self.retry.max_attempts} attempts; last problem: {last_problem}"
        )

    def _outcome(self, response: httpx.Response, label: str) -> _Retry | _Value:
        status = response.status_code
        if status == 429:
            wait = self._retry_after(response)
            if wait > self.retry.max_retry_after:
                raise OsHubQuotaError(
                    f"{label}: rate limited (HTTP 429), the server asks to wait {wait:.0f} s; "
                    "resume from the last checkpoint later"
                )
            return _Retry(f"rate limited (HTTP 429, Retry-After {wait:g} s)", wait)
        if status >= 500:
            return _Retry(f"HTTP {status} ({self._detail(response)})")
        if status != 200:
            raise refusal(label, status, self._detail(response), self._json_detail(response))
        try:
            return _Value(response.json())
        except ValueError as exc:
            return _Retry(f"response is not valid JSON ({self._redact(str(exc))})")

    def _retry_after(self, response: httpx.Response) -> float:
        """Seconds from a Retry-After header (delta-seconds or HTTP-date); backoff base if absent."""
        header = response.headers.get("Retry-After", "").strip()
        if header.isdigit():
            return float(header)
        try:
            moment = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return self.retry.backoff_base
        return max(0.0, moment.timestamp() - self._clock())

    def _detail(self, response: httpx.Response) -> str:
        """The server's own explanation of an error body, token-free (``errors.describe_body``)."""
        return self._redact(describe_body(response.text))

    def _json_detail(self, response: httpx.Response) -> str | None:
        """The ``detail`` text of an OS Hub JSON error body, or None when the body is not one."""
        try:
            body = response.json()
        except ValueError:
            return None
        detail = body.get("detail") if isinstance(body, dict) else None
        return self._redact(detail) if isinstance(detail, str) else None

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<hidden>")


@dataclass(frozen=True)
class _Retry:
    problem: str
    wait: float | None = None  # None: use the backoff schedule


@dataclass(frozen=True)
class _Value:
    value: Any
