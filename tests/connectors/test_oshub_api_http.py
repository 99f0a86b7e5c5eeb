"""connectors.sources.oshub_api.client against a local fake OS Hub over real HTTP: auth, 429, 5xx, timeouts,
truncated JSON, the rate limiter, and the token never leaking."""

from __future__ import annotations

import email.utils
import logging

import pytest

from connectors.sources.oshub_api import PRODUCTION_LOCATIONS, pull_production_locations
from connectors.sources.oshub_api.client import (
    OsHubAuthError,
    OsHubClient,
    OsHubError,
    OsHubQuotaError,
    OsHubResponseError,
    RateLimiter,
    RetryPolicy,
)
from tests.fakes.oshub_server import FakeClock, FakeOsHub, recorded

TOKEN = "tok-Sup3rSecret-7f3a9c1e5b"


@pytest.fixture
def hub():
    with FakeOsHub(TOKEN, locations=recorded("production_locations.json")) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_for(hub: FakeOsHub, clock: FakeClock, token: str = TOKEN, **retry: float) -> OsHubClient:
    return OsHubClient(token, hub.base_url, retry=RetryPolicy(**retry), clock=clock, sleep=clock.sleep)


def test_sends_the_token_header_and_returns_the_json_body(hub, clock):
    with client_for(hub, clock) as client:
        body = client.get_json(PRODUCTION_LOCATIONS, {"size": 3})
    assert body["count"] == 13 and len(body["data"]) == 3
    (seen,) = hub.calls()
    assert seen.authorization == f"Token {TOKEN}" and seen.params["size"] == "3"
    assert clock.sleeps == []


def test_a_rejected_token_raises_auth_error_without_retrying(hub, clock):
    status = 401  # a 403 is the account's permission, not the token (test_oshub_api_errors.py)
    with client_for(hub, clock, token="wrong-token") as client, pytest.raises(OsHubAuthError) as raised:
        client.get_json(PRODUCTION_LOCATIONS)
    assert str(raised.value).startswith("Open Supply Hub token missing or rejected")
    assert f"HTTP {status}" in str(raised.value)
    assert len(hub.calls()) == 1 and clock.sleeps == []


@pytest.mark.parametrize("token", ["", "   "])
def test_a_missing_token_is_refused_before_any_call(token):
    with pytest.raises(OsHubAuthError, match="token missing or rejected"):
        OsHubClient(token, "http://127.0.0.1:9")


def test_429_retry_after_seconds_is_honoured(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=429, headers={"Retry-After": "7"}, body={"detail": "throttled"})
    with client_for(hub, clock) as client:
        assert client.get_json(PRODUCTION_LOCATIONS)["count"] == 13
    assert clock.sleeps == [7.0] and len(hub.calls()) == 2


def test_429_retry_after_http_date_is_honoured(hub, clock):
    later = email.utils.formatdate(clock.now + 30, usegmt=True)
    hub.fail(PRODUCTION_LOCATIONS, status=429, headers={"Retry-After": later})
    with client_for(hub, clock) as client:
        client.get_json(PRODUCTION_LOCATIONS)
    assert clock.sleeps == [30.0]


def test_429_asking_for_a_long_wait_raises_quota_error(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=429, headers={"Retry-After": "50000"})
    with (
        client_for(hub, clock) as client,
        pytest.raises(OsHubQuotaError, match="resume from the last checkpoint"),
    ):
        client.get_json(PRODUCTION_LOCATIONS)
    assert clock.sleeps == []


def test_500_then_success_retries_once_with_backoff(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=500)
    with client_for(hub, clock) as client:
        assert client.get_json(PRODUCTION_LOCATIONS)["count"] == 13
        assert client.limiter.usage[1] == 2  # every attempt counts against the daily budget
    assert clock.sleeps == [1.0] and len(hub.calls()) == 2


def test_persistent_5xx_gives_up_after_max_attempts(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=503, times=10)
    with client_for(hub, clock, max_attempts=3) as client, pytest.raises(OsHubResponseError) as raised:
        client.get_json(PRODUCTION_LOCATIONS, where="page 4")
    message = str(raised.value)
    assert PRODUCTION_LOCATIONS in message and "page 4" in message and "3 attempts" in message
    assert "HTTP 503" in message
    assert clock.sleeps == [1.0, 2.0] and len(hub.calls()) == 3


def test_backoff_is_exponential_and_bounded():
    policy = RetryPolicy(backoff_base=10, backoff_max=25)
    assert [policy.backoff(n) for n in range(1, 5)] == [10, 20, 25, 25]


def test_a_slow_response_times_out_and_is_retried(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, kind="slow", delay=1.0)
    with client_for(hub, clock, timeout=0.2) as client:
        assert client.get_json(PRODUCTION_LOCATIONS)["count"] == 13
    assert clock.sleeps == [1.0] and len(hub.calls()) == 2


def test_truncated_json_is_retried(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, kind="truncated")
    with client_for(hub, clock) as client:
        assert client.get_json(PRODUCTION_LOCATIONS)["count"] == 13
    assert clock.sleeps == [1.0]


def test_truncated_json_every_time_names_the_path_and_the_page(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, kind="truncated", times=10, when=lambda p: "search_after[id]" in p)
    with client_for(hub, clock, max_attempts=2) as client, pytest.raises(OsHubResponseError) as raised:
        list(pull_production_locations(client, page_size=5))
    message = str(raised.value)
    assert f"GET {PRODUCTION_LOCATIONS} (page 2 after os_id " in message
    assert "not valid JSON" in message and TOKEN not in message


def test_an_unexpected_client_error_is_not_retried(hub, clock):
    hub.fail(PRODUCTION_LOCATIONS, status=400, body={"detail": "Invalid parameter"})
    with (
        client_for(hub, clock) as client,
        pytest.raises(OsHubResponseError, match="HTTP 400: Invalid parameter"),
    ):
        client.get_json(PRODUCTION_LOCATIONS)
    assert len(hub.calls()) == 1


def test_rate_limiter_keeps_to_the_per_minute_limit(clock):
    limiter = RateLimiter(per_minute=3, clock=clock, sleep=clock.sleep)
    for _ in range(7):
        limiter.acquire()
    assert clock.sleeps == [60.0, 60.0]
    assert limiter.usage == ("2027-01-15", 7)


def test_rate_limiter_stops_at_the_daily_limit_and_resets_the_next_day(clock):
    limiter = RateLimiter(per_day=2, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(OsHubQuotaError, match="daily limit of 2"):
        limiter.acquire()
    clock.now += 86_400
    limiter.acquire()
    assert limiter.usage == ("2027-01-16", 1)


def test_rate_limiter_restores_only_today_s_count(clock):
    limiter = RateLimiter(per_day=10, clock=clock, sleep=clock.sleep)
    limiter.restore("2027-01-14", 9)
    assert limiter.usage == ("2027-01-15", 0)
    limiter.restore("2027-01-15", 9)
    limiter.acquire()
    with pytest.raises(OsHubQuotaError):
        limiter.acquire()


def test_the_token_never_appears_in_logs_errors_reprs_or_data(hub, clock, caplog):
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    hub.fail(PRODUCTION_LOCATIONS, status=500, times=2, body={"detail": f"echoing {TOKEN} back"})
    hub.fail(PRODUCTION_LOCATIONS, kind="truncated", times=2)
    hub.fail(PRODUCTION_LOCATIONS, kind="slow", delay=0.6, times=2)
    hub.fail(PRODUCTION_LOCATIONS, status=429, headers={"Retry-After": "99999"})
    hub.fail(PRODUCTION_LOCATIONS, status=403, body={"detail": f"token {TOKEN} revoked"})
    with client_for(hub, clock, max_attempts=2, timeout=0.2) as client:
        for _ in range(5):
            try:
                client.get_json(PRODUCTION_LOCATIONS, {"size": 5})
            except OsHubError as exc:
                errors.append(exc)
        pages = list(pull_production_locations(client, page_size=5))
        texts = [repr(client), *(page.checkpoint.to_json() for page in pages)]
        texts += [page.raw_frame("load-1").write_csv() for page in pages]
    for wrong in ("wrong-" + TOKEN, TOKEN + "x"):
        with client_for(hub, clock, token=wrong) as client, pytest.raises(OsHubAuthError) as raised:
            client.get_json(PRODUCTION_LOCATIONS)
        errors.append(raised.value)
        texts.append(repr(client))
    kinds = [type(error).__name__ for error in errors]
    assert (
        kinds
        == ["OsHubResponseError"] * 3 + ["OsHubQuotaError", "OsHubPermissionError"] + ["OsHubAuthError"] * 2
    )
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            texts += [str(chain), repr(chain), *map(str, chain.args)]
            chain = chain.__cause__ or chain.__context__
    texts.append(caplog.text)
    texts += [record.getMessage() for record in caplog.records]
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)  # httpx did log
    assert [text for text in texts if TOKEN in text] == []
