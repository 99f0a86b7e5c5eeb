"""Checking only the rows a run wrote gives the verdict of checking the whole table, for a table that
passed before the write (data_contracts.change_checks, issue 19): a real violation the write brought
in still fails, under the same rule name and with the same offending rows."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from data_contracts import load_contract
from data_contracts.change_checks import run_checks_for_keys, scope_of

KEYS = "resolved.match_index_keys"
FACILITIES = "resolved.facilities"


def _record(number: int) -> str:
    return f"{number:020x}"


@pytest.fixture
def con():
    """A match index of 50 records x 3 keys that passes its contract."""
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA resolved")
    connection.execute(load_contract(KEYS).ddl(not_null=False))
    connection.execute(
        "INSERT INTO resolved.match_index_keys SELECT printf('%020x', r), p, r * 10 + k "
        "FROM range(50) t(r), (VALUES ('name_token', 1), ('address_token', 2), ('geo_cell', 3)) v(p, k)"
    )
    assert all(result.passed for result in load_contract(KEYS).run_checks(connection))
    yield connection
    connection.close()


def _written(con, rows: list[tuple[str, str, int]]) -> None:
    """Append `rows` and register their record ids as the keys written."""
    con.executemany("INSERT INTO resolved.match_index_keys VALUES (?, ?, ?)", rows)
    con.register("written", pl.DataFrame({"record_id": sorted({row[0] for row in rows})}))


def _failed(con) -> dict[str, int | None]:
    results = run_checks_for_keys(load_contract(KEYS).checks(), con, KEYS, ("record_id",), "written")
    assert [r.name for r in results] == [c.name for c in load_contract(KEYS).checks()]
    return {r.name: r.offending_count for r in results if not r.passed}


def _failed_in_full(con) -> dict[str, int | None]:
    return {r.name: r.offending_count for r in load_contract(KEYS).run_checks(con) if not r.passed}


def test_clean_new_keys_pass(con):
    _written(con, [(_record(100), "name_token", 1001), (_record(100), "geo_cell", 1003)])
    assert _failed(con) == {} == _failed_in_full(con)


def test_a_written_key_that_duplicates_an_existing_one_fails_the_primary_key(con):
    # the run wrote record 7's name_token key again: a duplicate of a row it did not write
    _written(con, [(_record(7), "name_token", 71), (_record(100), "name_token", 1001)])
    assert _failed(con) == {"match_index_keys__primary_key__unique": 2} == _failed_in_full(con)


def test_a_key_written_twice_fails_the_primary_key(con):
    _written(con, [(_record(100), "geo_cell", 5), (_record(100), "geo_cell", 5)])
    assert _failed(con) == {"match_index_keys__primary_key__unique": 2} == _failed_in_full(con)


def test_row_rules_fail_on_a_written_row(con):
    _written(con, [("not-a-record-id", "name_token", 1), (_record(101), "made_up_pass", 2)])
    failed = _failed(con)
    assert failed == _failed_in_full(con)
    assert failed == {
        "match_index_keys__record_id__pattern": 1,
        "match_index_keys__blocking_pass__valid_values": 1,
    }


def test_rules_are_scoped_by_what_they_need():
    scopes = {check.name: scope_of(check) for check in load_contract(FACILITIES).checks()}
    assert scopes["facilities__facility_id__unique"] == "keys"
    assert scopes["facilities__row_count"] == "table"
    assert {scopes[name] for name in scopes if "not_null" in name} == {"rows"}
    # `SELECT COUNT(*) FROM ${object} WHERE workers_min > workers_max`: a row rule
    assert [name for name, scope in scopes.items() if scope == "rows" and "workers" in name]
