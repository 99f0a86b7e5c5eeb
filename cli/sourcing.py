"""The sourcing team's interface: facility profiles, brand exposure, safe exports, read-only queries.

`flrisk facility ID_OR_NAME`, `flrisk brand NAME`, `flrisk export TABLE --out FILE [--brand B]`,
`flrisk review-hit` (reviewers' decisions on list-screening hits), and the printing behind `flrisk query`
(`flrisk query`). Data access lives in cli.sourcing_queries, cli.export,
cli.list_review and cli.query; this module only formats. Imports are lazy so `flrisk --help`
stays fast. Exit codes: 0 done, 1 not found or ambiguous (candidates listed), 2 refused or unusable input.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.terminal import error as print_error
from risk_model.text_safety import visible

TABLE_OPTIONS = dict(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_width_chars=200)


def _fail(message: str, code: int) -> None:
    print_error(message)
    raise SystemExit(code)


READERS_SEE = " (readers see published and resolved tables; raw and staged need --as engineer)"
AS_ROLE = click.option(
    "--as",
    "role",
    type=click.Choice(["sourcing", "engineer"]),
    default="sourcing",
    show_default=True,
    help="sourcing reads the reader copy (published and resolved tables); engineer reads the warehouse "
    "itself, raw and staged included (docs/privacy-and-sharing.md).",
)


def print_query(
    sql: str, row_limit: int | None = None, memory_limit: str | None = None, role: str = "sourcing"
) -> None:
    """Run one read-only SELECT and print it; refused statements exit 2, SQL errors exit 1, a query
    that needs more memory than allowed exits 2 saying so."""
    import duckdb
    import polars as pl

    from cli.query import AudienceError, QueryRefusedError, query_limits, run_query

    try:
        limit, memory = query_limits(row_limit, memory_limit)
        frame = run_query(sql, row_limit=limit, memory_limit=memory, role=role)
    except (QueryRefusedError, AudienceError) as problem:
        _fail(f"refused: {problem}", 2)
    except duckdb.OutOfMemoryException as problem:
        first = str(problem).splitlines()[0]
        _fail(
            f"refused: the query needs more than its memory limit of {memory} ({first}); narrow it "
            "(WHERE, LIMIT) or raise --memory-limit",
            2,
        )
    except duckdb.CatalogException as problem:
        hint = "" if role == "engineer" else READERS_SEE
        _fail(f"query failed: {str(problem).splitlines()[0]}{hint}", 1)
    except (duckdb.Error, FileNotFoundError) as problem:
        _fail(f"query failed: {problem}", 1)
    with pl.Config(**TABLE_OPTIONS):
        click.echo(frame.head(limit))
    if frame.height > limit:
        click.echo(f"(showing the first {limit} rows; add LIMIT to the query or raise --limit)")


def _print_candidates(query: str, candidates: list[dict]) -> None:
    from cli.search import format_results

    if not candidates:
        _fail(f"no facility matches {query!r}", 1)
    if "facility_name" not in candidates[0]:
        print_error(f"{query!r} names several facilities: " + ", ".join(c["facility_id"] for c in candidates))
        raise SystemExit(1)
    from cli.sourcing_queries import MAX_CANDIDATES

    shown = len(candidates)
    if shown >= MAX_CANDIDATES:  # the search stopped at the limit: there may be more
        what = f"the {shown} best matches, best first (`flrisk search {query!r} --limit 50` shows more)"
    else:
        what = f"{shown} facilities match, best first"
    print_error(f"{query!r} is ambiguous: {what}; use the facility id:")
    print_error(format_results(candidates))
    raise SystemExit(1)


def _format_profile(profile: dict) -> str:
    facility, risk = profile["facility"], profile["risk"]
    lines = [f"{visible(facility['name'])} ({facility['country_code']})  {facility['facility_id']}"]
    os_ids = sorted(set(facility.get("os_ids") or []) | ({facility["os_id"]} if facility["os_id"] else set()))
    lines.append(
        f"OS ID: {facility['os_id'] or '-'}" + (f" (also {', '.join(os_ids)})" if len(os_ids) > 1 else "")
    )
    lines.append(f"Address: {visible(facility['address']) or '-'}")
    lines.append(f"Brands listing it: {', '.join(profile['brands']) or '-'}")
    if risk:
        lines.append(
            f"Risk: score {risk['risk_score']:.1f}, band {risk['risk_band']}, "
            f"confidence {risk['confidence']:.2f} "
            f"(as of {risk['as_of_date']}, methodology {risk['methodology_version']})"
        )
        lines.append(f"  why this band: {risk.get('band_reason') or '-'}")
        if risk.get("location_check"):
            lines.append(f"  location check: {risk['location_check']}")
        parts = ("country", "sector", "list_exposure", "audit", "worker_voice")
        lines.append("  components: " + ", ".join(f"{p} {risk[f'{p}_score']:.0f}" for p in parts))
    lines.append("")
    lines.append("Names and addresses seen, by source:")
    for row in profile["seen"]:
        lines.append(
            f"  [{row['source_type']} / {row['contributor']}] {visible(row['name'])} | "
            f"{visible(row['address']) or '-'}"
        )
    lines.append("")
    lines.append("Drivers (component points, evidence; forcing evidence first, then by weight in the score):")
    for row in profile["drivers"]:
        evidence = [
            f"{label} {row[key]}"
            for label, key in (
                ("source", "evidence_source"),
                ("record", "evidence_record_id"),
                ("date", "evidence_date"),
                ("list entry", "evidence_list_entry"),
                ("finding", "evidence_finding_id"),
            )
            if row[key] is not None
        ]
        lines.append(f"  {row['points']:6.1f}  [{row['component']}] {visible(row['description'])}")
        lines.append(f"          evidence: {'; '.join(evidence)}")
    lines.append("")
    lines.append(f"Open review items: {len(profile['review_items']) or 'none'}")
    for item in profile["review_items"]:
        lines.append(f"  {item['kind']} {item['item_id']}: {visible(item['detail'])}")
    lines.append(f"Human decisions: {len(profile['decisions']) or 'none'}")
    for row in profile["decisions"]:
        note = f" - {row['note']}" if row["note"] else ""
        lines.append(
            f"  {row['kind']} {row['subject']}: {row['decision']} by {row['decided_by']} "
            f"on {row['decided_at']:%Y-%m-%d}{note}"
        )
    return "\n".join(lines)


@click.command()
@click.argument("id_or_name")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def facility(id_or_name: str, as_json: bool) -> None:
    """A facility's profile: names and addresses by source, OS ID, brands, score, band, drivers with
    evidence, open review items and the human decisions behind it. ID_OR_NAME is a facility id, an OS ID
    or a name (fuzzy)."""
    from cli.sourcing_queries import facility_profile, find_facility

    try:
        found = find_facility(id_or_name)
    except FileNotFoundError as error:
        _fail(str(error), 2)
    if found.facility_id is None:
        _print_candidates(id_or_name, found.candidates)
    if found.note:
        click.echo(found.note, err=True)
    profile = facility_profile(found.facility_id)
    click.echo(json.dumps(profile, indent=2, default=str) if as_json else _format_profile(profile))


def _format_brand(summary: dict) -> str:
    exposure = summary["exposure"]
    lines = [
        f"{exposure['contributor']}: {exposure['facility_count']} facilities, mean score "
        f"{exposure['mean_risk_score']:.1f}"
    ]
    bands = ("critical", "high", "medium", "low", "unknown")
    lines.append("  bands: " + ", ".join(f"{b} {exposure[f'share_{b}'] * 100:.0f}%" for b in bands))
    lines.append(f"  confirmed list hits: {len(summary['confirmed_hits'])}")
    for hit in summary["confirmed_hits"]:
        lines.append(
            f"    {visible(hit['facility_name'])} ({hit['facility_id']}): "
            f"{hit['list_name']} '{hit['list_entity_name']}'"
        )
    lines.append("Riskiest facilities:")
    for row in summary["worst"]:
        lines.append(
            f"  {row['risk_score']:5.1f} {row['risk_band']:<8} {visible(row['facility_name'])} "
            f"({row['country_code']}) {row['facility_id']}  {visible(row['driver_1']) or ''}"
        )
    shared_with = exposure.get("shared_with") or []
    lines.append(
        f"Shared with other brands: {exposure.get('shared_facility_count') or 0} facilities"
        + (f" (with {', '.join(shared_with)})" if shared_with else "")
    )
    for row in summary["shared"]:
        lines.append(
            f"  {row['risk_score']:5.1f} {row['risk_band']:<8} {visible(row['facility_name'])} "
            f"{row['facility_id']}"
        )
    return "\n".join(lines)


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def brand(name: str, as_json: bool) -> None:
    """A brand's (contributor's) exposure: facilities per band, riskiest and shared facilities."""
    from cli.sourcing_queries import brand_summary, find_brand

    try:
        contributor, candidates = find_brand(name)
    except FileNotFoundError as error:
        _fail(str(error), 2)
    if contributor is None:
        listed = "; ".join(candidates) if candidates else "none close"
        _fail(f"no single brand matches {name!r} (candidates: {listed})", 1)
    summary = brand_summary(contributor)
    click.echo(json.dumps(summary, indent=2, default=str) if as_json else _format_brand(summary))


@click.command()
@click.argument("table")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet", "xlsx"]),
    default=None,
    help="Output format; by default the extension of OUT (.csv, .parquet, .xlsx).",
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--brand", default=None, help="Only the rows of this brand (its name, or part of it).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists (never flrisk's own state).")
@AS_ROLE
def export(
    table: str, file_format: str | None, out: Path, brand: str | None, force: bool, role: str
) -> None:
    """Export a published or resolved TABLE to a file that is safe to open in a spreadsheet (text cells
    starting with = + - @, tab or carriage return are prefixed with a single quote), in the order every
    other surface shows it. The format follows OUT's extension unless --format says otherwise; XLSX has
    a frozen header row and an autofilter. OUT is written through a temporary file; it may not be
    inside flrisk's state, nor exist unless --force."""
    from cli.export import ExportError, brand_query, export_query, infer_format, resolve_table, write_export
    from cli.outputs import OutputRefusedError, check_target, output_files
    from cli.query import fetch
    from cli.sourcing_queries import find_brand
    from warehouse.sql import quoted

    try:
        file_format = infer_format(out, file_format)
        check_target(out, force)
        table_key = resolve_table(table, role)
        columns = fetch(f"SELECT * FROM {quoted(table_key)} LIMIT 0", role=role).columns
        contributor = None
        if brand is not None:
            contributor, candidates = find_brand(brand)
            if contributor is None:
                listed = "; ".join(candidates) if candidates else "none close"
                _fail(f"error: no single brand matches {brand!r} (candidates: {listed})", 2)
            rows_of_brand = f"({brand_query(table_key, columns)})"
            frame = fetch(export_query(table_key, rows_of_brand, columns), [contributor], role=role)
        else:
            frame = fetch(export_query(table_key, quoted(table_key), columns), role=role)
        with output_files(out, force) as temporary:
            sheet = table_key.split(".", 1)[1] + (f" - {contributor}" if contributor else "")
            rows = write_export(frame, temporary, file_format, sheet)
    except (ExportError, FileNotFoundError, OutputRefusedError, PermissionError) as error:
        _fail(f"error: {error}", 2)
    scope = f" for {contributor}" if contributor else ""
    click.echo(f"Wrote {rows} rows of {table_key}{scope} to {out} ({file_format}).")


def _print_hits(hits) -> None:
    if hits.is_empty():
        click.echo("No list-screening hits awaiting review (`--list --all` shows every hit).")
        return
    for row in hits.iter_rows(named=True):
        recorded = row["recorded_decision"]
        click.echo(
            f"{row['hit_id']}  {row['facility_id']}  '{visible(row['screened_name'])}' ~ {row['list_name']} "
            f"{row['list_entity_name']!r} (score {row['match_score']:.2f}, {row['status']}: "
            f"{row.get('status_reason') or '-'})"
            + (f"  [{recorded} by {row['decided_by']} on {row['decided_at']:%Y-%m-%d}]" if recorded else "")
        )


@click.command(name="review-hit")
@click.argument("hit", required=False)
@click.argument("list_entity", required=False)
@click.option("--confirm", "confirm", is_flag=True, help="The facility is the listed entity.")
@click.option("--reject", "reject", is_flag=True, help="It is not: dismiss the hit.")
@click.option("--by", "decided_by", default="", help="Who decides (recorded with the decision).")
@click.option("--note", default="", help="Why (recorded with the decision).")
@click.option("--list-name", default=None, help="uflpa_entity_list or cbp_wro_findings, if both match.")
@click.option("--list", "show", is_flag=True, help="Print the hits awaiting review and exit.")
@click.option("--all", "show_all", is_flag=True, help="With --list: every hit, whatever its status.")
def review_hit(hit, list_entity, confirm, reject, decided_by, note, list_name, show, show_all) -> None:
    """Confirm or reject a list-screening hit. HIT is a hit id (as `--list` prints it) or a facility
    id; with a facility id, LIST_ENTITY is the listed entity's name (needed when the facility has
    several hits). The decision goes to resolved.list_hit_decisions and applies from the next run."""
    from cli.list_review import HitNotFoundError, hits_for_review, record_decision
    from warehouse.locking import WarehouseBusyError

    if confirm and reject:
        _fail("refused: --confirm and --reject contradict each other; give one", 2)
    decision = "confirmed" if confirm else "rejected" if reject else None
    try:
        if show:
            _print_hits(hits_for_review(show_all))
            return
        if not hit or not decision or not decided_by.strip():
            _fail("usage: flrisk review-hit HIT [LIST_ENTITY] --confirm|--reject --by NAME [--note TEXT]", 2)
        found = record_decision(
            hit, decision, decided_by, entity=list_entity, list_name=list_name, note=note, database=None
        )
    except HitNotFoundError as error:
        candidates = [
            f"  {c['hit_id']}  {c['list_name']} {c['list_entity_name']!r}" for c in error.candidates
        ]
        _fail("\n".join([str(error), *candidates]), 1)
    except (WarehouseBusyError, FileNotFoundError) as error:
        _fail(f"{error}" if show else f"not recorded: {error}", 2)
    when = f"{found['decided_at']:%Y-%m-%d %H:%M} UTC"
    click.echo(
        f"Recorded: {found['facility_id']} {decision} as {found['list_name']} entry "
        f"{found['list_entity_name']!r} by {found['decided_by']} ({when}).\n"
        "It applies on the next run (`flrisk refresh`, `flrisk load` or the refresh_all job); until then "
        f"published tables still show the hit as {found['status'].replace('_', ' ')}."
    )


@click.command()
@click.argument("sql")
@click.option("--limit", "row_limit", type=click.IntRange(min=1), default=None, help="Rows at most (10000).")
@click.option("--memory-limit", default=None, help="DuckDB memory limit for the query (default 1GB).")
@AS_ROLE
def query(sql: str, row_limit: int | None, memory_limit: str | None, role: str) -> None:
    """Run one read-only SELECT against the warehouse and print the result; writes are refused (exit 2).
    At most --limit rows are fetched and the query runs within --memory-limit (also settable with
    FLRISK_QUERY_ROW_LIMIT and FLRISK_QUERY_MEMORY_LIMIT)."""
    print_query(sql, row_limit, memory_limit, role)


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    for command in (facility, brand, export, query, review_hit):
        group.add_command(command)
