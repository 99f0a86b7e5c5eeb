"""`flrisk review-match`: decide grey-band entity matches, with the ergonomics of `flrisk review-hit`.

`--list` shows each queued pair with both records side by side, the scores and the explanation;
`PAIR --same|--different --by NAME [--note TEXT]` records a decision (cli.match_review). Exit codes:
0 done, 1 pair not found, 2 refused (conflicting or missing options, warehouse busy, no warehouse).
"""

from __future__ import annotations

import json

import click

from cli.terminal import error as print_error

USAGE = "usage: flrisk review-match PAIR --same|--different --by NAME [--note TEXT]  (or --list [--all])"
SIDES = (
    ("source", "{source} / {contributor}"),
    ("name", "{name}"),
    ("address", "{address}"),
    ("country", "{country}"),
    ("OS ID", "{os_id}"),
    ("facility", "{facility_id}"),
)


def _side(row: dict, prefix: str) -> dict:
    return {
        key: row[f"{prefix}_{key}"] or "-"
        for key in ("source", "contributor", "name", "address", "country", "os_id", "facility_id")
    }


def format_pair(row: dict, width: int = 48) -> str:
    """One pair: its id and scores, both records in two columns, the explanation, any decision."""
    left, right = _side(row, "left"), _side(row, "right")
    lines = [f"{row['pair_id']}  match score {row['match_score']:.2f}"]
    for label, template in SIDES:
        a, b = template.format(**left), template.format(**right)
        lines.append(f"  {label:<9}{a[:width]:<{width}}  | {b[:width]}")
    lines.append(f"  why: {row['explanation']}")
    if row.get("recorded_decision"):
        verdict = "same facility" if row["recorded_decision"] == "confirm" else "different facilities"
        lines.append(
            f"  decided: {verdict} by {row['decided_by']} on {row['decided_at']:%Y-%m-%d} "
            "(applies on the next run)"
        )
    return "\n".join(lines)


def _fail(message: str, code: int) -> None:
    print_error(message)
    raise SystemExit(code)


@click.command(name="review-match")
@click.argument("pair", required=False)
@click.option("--same", is_flag=True, help="Both records are the same facility (merge them).")
@click.option("--different", is_flag=True, help="They are different facilities (keep them apart).")
@click.option("--by", "decided_by", default="", help="Who decides (recorded with the decision).")
@click.option("--note", default="", help="Why (recorded with the decision).")
@click.option("--list", "show", is_flag=True, help="Print the pairs awaiting review and exit.")
@click.option("--all", "show_all", is_flag=True, help="With --list: also pairs decided since the last run.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print the pairs as JSON.")
def review_match(pair, same, different, decided_by, note, show, show_all, as_json) -> None:
    """Decide a grey-band entity match from resolved.review_queue: PAIR is a pair id as `--list`
    prints it. The decision goes to resolved.match_decisions (never overwritten by the pipeline) and
    applies from the next run; a later decision on the same pair supersedes an earlier one."""
    from cli.match_review import PairNotFoundError, pairs_for_review, record_decision
    from warehouse.locking import WarehouseBusyError

    if same and different:
        _fail("choose one of --same and --different, not both", 2)
    if show and (pair or same or different):
        _fail("--list shows the queue; it takes no PAIR, --same or --different", 2)
    try:
        if show:
            pairs = pairs_for_review(show_all)
            if as_json:
                click.echo(json.dumps(pairs, indent=2, default=str, ensure_ascii=False))
            elif not pairs:
                click.echo("No entity matches awaiting review (`--list --all` also shows decided ones).")
            else:
                click.echo("\n\n".join(format_pair(row) for row in pairs))
            return
        if not pair or not (same or different) or not decided_by.strip():
            _fail(USAGE, 2)
        found = record_decision(pair, same, decided_by, note=note, database=None)
    except PairNotFoundError as error:
        _fail(str(error), 1)
    except (WarehouseBusyError, FileNotFoundError) as error:
        _fail(f"{error}" if show else f"not recorded: {error}", 2)
    verdict = "the same facility" if found["decision"] == "confirm" else "different facilities"
    replaces = ""
    if found.get("earlier_decision"):
        earlier = "same facility" if found["earlier_decision"] == "confirm" else "different facilities"
        replaces = (
            f"It replaces the decision '{earlier}' by {found['earlier_by']} "
            f"({found['earlier_at']:%Y-%m-%d %H:%M} UTC).\n"
        )
    click.echo(
        f"Recorded: pair {found['pair_id']} (records {found['record_id_left']} and "
        f"{found['record_id_right']}) are {verdict}, by {found['decided_by']} "
        f"({found['decided_at']:%Y-%m-%d %H:%M} UTC).\n{replaces}"
        "It applies on the next run (`flrisk refresh`, `flrisk load` or the refresh_all job), which "
        "re-resolves in full and never overwrites the decision."
    )
