"""The resolution step's three cross-table checks, counted in one query (issue 19: ~1 s less at 1M
records), give exactly the counts of the three queries they replace, on sound tables and on broken
ones (missing, extra and duplicate links and index rows, NULL record IDs, a record ID staged twice,
unflagged and flagged cross-border facilities)."""

from __future__ import annotations

import random

import duckdb
import pytest

from assets.resolution import CROSS_TABLE_COUNTS_SQL, ZERO_COUNT_CHECKS

COUNTRIES = ["BD", "VN", "CN", None]


def tables(seed: int) -> duckdb.DuckDBPyConnection:
    """Staged records, links, index rows and facilities, broken in random ways when `seed` > 0."""
    rng = random.Random(seed)
    broken = seed > 0
    con = duckdb.connect(":memory:")
    for schema in ("staged", "resolved"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute("CREATE TABLE staged.facility_records (record_id VARCHAR, country_code VARCHAR)")
    con.execute("CREATE TABLE resolved.record_links (record_id VARCHAR, facility_id VARCHAR)")
    con.execute("CREATE TABLE resolved.match_index (record_id VARCHAR)")
    con.execute("CREATE TABLE resolved.facilities (facility_id VARCHAR, spans_countries BOOLEAN)")
    spans: dict[str, set] = {}
    for number in range(200):
        record = None if broken and rng.random() < 0.03 else f"r{number}"
        facility = f"F{rng.randrange(120)}"
        country = rng.choice(COUNTRIES) if broken else COUNTRIES[int(facility[1:]) % 3]
        for _ in range(2 if broken and rng.random() < 0.05 else 1):  # staged twice
            con.execute("INSERT INTO staged.facility_records VALUES (?, ?)", [record, country])
        for _ in range(0 if broken and rng.random() < 0.05 else 2 if broken and rng.random() < 0.05 else 1):
            con.execute("INSERT INTO resolved.record_links VALUES (?, ?)", [record, facility])
            if country is not None:
                spans.setdefault(facility, set()).add(country)
        if not (broken and rng.random() < 0.05):
            con.execute("INSERT INTO resolved.match_index VALUES (?)", [record])
    if broken:
        con.execute("INSERT INTO resolved.record_links VALUES ('orphan', 'F1'), (NULL, 'F2')")
        con.execute("INSERT INTO resolved.match_index VALUES ('extra'), (NULL)")
    for facility, countries in spans.items():
        flagged = len(countries) > 1 and not (broken and rng.random() < 0.5)
        con.execute("INSERT INTO resolved.facilities VALUES (?, ?)", [facility, flagged])
    return con


@pytest.mark.parametrize("seed", range(12))
def test_one_query_counts_what_the_three_checks_count(seed):
    con = tables(seed)
    separately = tuple(con.execute(sql).fetchall()[0][0] for _, sql, _ in ZERO_COUNT_CHECKS.values())

    together = tuple(int(count) for count in con.execute(CROSS_TABLE_COUNTS_SQL).fetchall()[0])

    assert together == separately
    if seed == 0:
        assert together == (0, 0, 0)
    else:
        assert together[0] > 0 and together[2] > 0
