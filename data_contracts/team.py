"""Who owns a table: the owners named in its contract's ODCS v3.0.2 ``team`` section.

``team`` is a list of members (``username``, ``role``, optionally ``name``, ``description``,
``dateIn``, ``dateOut``, ``replacedByUsername``). A table's owners are the members whose ``role``
is ``owner`` and who have not left (no ``dateOut``); each ``username`` is an e-mail address or a
team name such as ``flrisk-maintainers``. Every contract must name at least one owner, so every
table can be traced to someone. Pure: the Dagster spelling of owners lives in ``assets``.
"""

from __future__ import annotations

from typing import Any

from data_contracts.errors import ContractError

MEMBER_KEYS = frozenset(
    {"username", "name", "description", "role", "dateIn", "dateOut", "replacedByUsername"}
)
OWNER_ROLE = "owner"


def parse_owners(team: Any, where: str) -> tuple[str, ...]:
    """The usernames of the current owners in an ODCS ``team`` list, in the order given.

    Raises :class:`ContractError` when ``team`` is not a list of members with a ``username``,
    has keys outside ODCS v3.0.2, or names no current owner.
    """
    if not isinstance(team, list) or not team:
        raise ContractError(f"{where}: team must be a non-empty list of members")
    owners = []
    for member in team:
        if not isinstance(member, dict):
            raise ContractError(f"{where}: a team member must be a mapping")
        unknown = sorted(set(member) - MEMBER_KEYS)
        if unknown:
            raise ContractError(f"{where} team: keys not in ODCS v3.0.2: {', '.join(unknown)}")
        username = member.get("username")
        if not isinstance(username, str) or not username.strip():
            raise ContractError(f"{where}: every team member needs a username (an e-mail or team name)")
        if str(member.get("role", "")).lower() == OWNER_ROLE and not member.get("dateOut"):
            owners.append(username.strip())
    if not owners:
        raise ContractError(f"{where}: team names no current member with role {OWNER_ROLE!r}")
    return tuple(owners)
