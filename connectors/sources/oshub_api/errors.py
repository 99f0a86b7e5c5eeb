"""Open Supply Hub API errors, explained from the server's own body.

OS Hub (Django REST framework) answers a refused request with JSON in one of a few shapes:
``{"detail": "..."}``; a v1 endpoint's ``{"detail": "The request query is invalid.", "errors":
[{"field": "size", "detail": "..."}]}``; a serializer's ``{"page": ["Invalid page."]}`` or
``{"non_field_errors": [...]}``; or a bare list ``["Unexpected query parameters: x"]``.
:func:`describe_body` turns each into one line (``field: message``), so a user never reads "no
detail" when the server said what was wrong. :func:`refusal` maps a status to the error to raise:

* 401: the token is missing or rejected (check FLRISK_OSHUB_TOKEN).
* 402 ``{"detail": "API limit exceeded"}``: the account's API block (OS Hub's request meter) is on:
  a quota stop, not a failure; the pull keeps what it has and resumes from its checkpoint later.
  Any other 402 (``User has no associated contributor``) is an account problem.
* 403: the token was accepted but the account lacks the permission (DRF's PermissionDenied, e.g.
  merge history without OS Hub's paid API access).
* 404: :class:`OsHubNotFoundError` with the JSON detail, so a caller can tell OS Hub's "no results"
  (the merge endpoint's NotFound for a date range without merges) from a wrong address.
"""

from __future__ import annotations

import json
from typing import Any

LIMIT = 300  # characters of server text quoted in a message


class OsHubError(RuntimeError):
    """Base error of the OS Hub API connector; messages never contain the token."""


class OsHubAuthError(OsHubError):
    """401 (or no token at all): the token is missing or was rejected."""


class OsHubResponseError(OsHubError):
    """A response could not be used: retries exhausted, an unexpected status, bad JSON or shape."""


class OsHubQuotaError(OsHubError):
    """The daily call budget is spent, the server says the account's API limit is exceeded (HTTP 402),
    or it asks to wait longer than we are willing to: stop for now and resume from the checkpoint."""


class OsHubPermissionError(OsHubError):
    """The token was accepted but the account may not make this request (HTTP 403, or a 402 that is
    not the API limit): an account setting on OS Hub's side, not a token to check."""


class OsHubNotFoundError(OsHubResponseError):
    """HTTP 404; ``detail`` is the server's JSON detail (None when the body was not OS Hub's JSON)."""

    def __init__(self, message: str, detail: str | None) -> None:
        super().__init__(message)
        self.detail = detail


def describe_body(text: str) -> str:
    """One line saying what an error body says (``field: message; ...``), at most LIMIT characters."""
    try:
        body = json.loads(text)
    except ValueError:
        stripped = " ".join(text.split())
        if not stripped:
            return "empty body"
        if stripped.startswith("<"):
            return "an HTML page, not Open Supply Hub's JSON"
        return _cut(stripped)
    parts = _messages(body)
    return _cut(_join(parts)) if parts else f"body {_cut(json.dumps(body, ensure_ascii=False))}"


def _messages(body: Any, field: str | None = None) -> list[str]:
    """The messages of a DRF / OS Hub v1 error body, each prefixed with its field when it has one."""
    prefix = f"{field}: " if field and field not in ("detail", "non_field_errors") else ""
    if isinstance(body, str):
        return [prefix + body] if body.strip() else []
    if isinstance(body, list):
        return [message for item in body for message in _messages(item, field)]
    if not isinstance(body, dict):
        return [prefix + json.dumps(body)] if body is not None else []
    if "field" in body and "detail" in body:  # one entry of a v1 "errors" list
        return _messages(body["detail"], str(body["field"]))
    found = _messages(body.get("detail"), field)
    for key, value in body.items():
        if key != "detail":
            found += _messages(value, field if key == "errors" else key)
    return found


def _join(parts: list[str]) -> str:
    """Messages in order: after a full stop a space, else a semicolon."""
    text = parts[0]
    for part in parts[1:]:
        text += (" " if text.endswith((".", "!", "?")) else "; ") + part
    return text


def _cut(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def refusal(label: str, status: int, described: str, detail: str | None) -> OsHubError:
    """The error for a non-200, non-retried response to ``label`` (``GET <path> (<where>)``)."""
    said = f"HTTP {status}: {described}"
    if status == 401:
        return OsHubAuthError(
            f"Open Supply Hub token missing or rejected: {label} returned {said}; check FLRISK_OSHUB_TOKEN"
        )
    if status == 402 and detail is not None and "limit" in detail.casefold():
        return OsHubQuotaError(
            f"{label}: Open Supply Hub says the account's API limit is exceeded ({said}); the pull stops "
            "here, keeps what it has received and resumes from that point on the next run"
        )
    if status in (402, 403):
        return OsHubPermissionError(
            f"{label}: Open Supply Hub accepted the token but refused the request ({said}): the account "
            f"lacks this permission{_permission_hint(label)}; FLRISK_OSHUB_TOKEN is not the problem"
        )
    if status == 404:
        return OsHubNotFoundError(f"{label}: not found ({said})", detail)
    if status == 400:
        return OsHubResponseError(f"{label}: Open Supply Hub rejected the request as invalid ({said})")
    return OsHubResponseError(f"{label}: unexpected {said}")


def _permission_hint(label: str) -> str:
    if "/moderation-events/merge/" in label:
        return " (merge history needs OS Hub API access with facility history; ask OS Hub to enable it)"
    return " (ask Open Supply Hub to enable it for the account)"
