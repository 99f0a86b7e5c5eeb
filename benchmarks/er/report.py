"""The printed summary of a benchmark run: the side-by-side table, real-pair AUC, stages and goals."""

from __future__ import annotations

COLUMNS = ("tool", "P", "R", "F1", "B3 F1", "review", "reach", "pairs/rec", "seconds", "RSS MB")
WIDTHS = (8, 6, 6, 6, 6, 7, 8, 9, 8, 7)


def _row(values: tuple) -> str:
    first, *rest = values
    return f"{first:<{WIDTHS[0]}} " + " ".join(f"{v:>{w}}" for v, w in zip(rest, WIDTHS[1:], strict=True))


def table(report: dict) -> str:
    """Engine, naive and Splink side by side (tools that did not run are left out)."""
    lines = [_row(COLUMNS)]
    lines.append("-" * len(lines[0]))
    for tool in ("engine", "naive", "splink"):
        figures = report["tools"].get(tool)
        if not figures:
            continue
        pairwise = figures["pairwise"]
        review = f"{figures['review_share']:.1%}" if "review_share" in figures else "-"
        exact = tool != "engine" or "blocking" in figures
        reach = f"{figures['blocking_reach']:.1%}" + ("" if exact else "*")
        per_record = f"{figures['blocking']['pairs_per_record']:.1f}" if "blocking" in figures else "-"
        lines.append(
            _row(
                (
                    tool,
                    f"{pairwise['precision']:.3f}",
                    f"{pairwise['recall']:.3f}",
                    f"{pairwise['f1']:.3f}",
                    f"{figures['bcubed']['f1']:.3f}",
                    review,
                    reach,
                    per_record,
                    f"{figures['seconds']:.1f}",
                    figures["peak_rss_mb"],
                )
            )
        )
    engine = report["tools"].get("engine", {})
    if "blocking" in engine:
        inside = engine["blocking"]["reach_transitive"]
        lines.append(
            f"engine reach: exact, true pairs that are candidate pairs ({inside:.1%} joined through"
            " candidate pairs inside their facility)"
        )
    else:
        lines.append("* engine reach: upper-bound proxy (true pairs co-clustered or with a record in review)")
    return "\n".join(lines)


def summary(report: dict) -> str:
    """Everything the runner prints after a run."""
    lines = [
        f"generator {report.get('generator', 'v1')}, {report['scale']} {report['split']}: "
        f"{report['records']} records, {report['true_facilities']} true facilities, "
        f"{report['true_pairs']} true pairs",
        table(report),
    ]
    engine = report["tools"]["engine"]
    version = report.get("engine_version", {})
    if version.get("changed_during_run"):
        lines.append("WARNING: entity_resolution/ changed during this run; its figures mix engine versions")
    if "cpu_seconds" in engine:
        lines.append(f"engine CPU seconds (user + system, the idle-machine figure): {engine['cpu_seconds']}")
    if "agreement" in engine:
        lines.append(f"CLI and resolve_frame agree: {engine['agreement']['agree']}")
    if "real_pairs" in report:
        pairs = report["real_pairs"]
        lines.append(
            f"real OS Hub pairs: engine AUC {pairs['engine_auc']:.3f}, "
            f"baseline mean(name, address) token_sort_ratio {pairs['baseline_auc']:.3f}"
        )
    lines.append("stages (s): " + ", ".join(f"{k} {v}" for k, v in report["stages_seconds"].items()))
    goals = [f"{k} {'met' if v['met'] else 'NOT met'} ({v['value']})" for k, v in report["goals"].items()]
    lines.append("goals: " + ", ".join(goals))
    return "\n".join(lines)
