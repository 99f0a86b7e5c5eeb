"""Great Expectations Data Docs for auditors, built and made safe to open offline.

:func:`build_data_docs` validates pandas frames with each contract's GE suite (the pandas route:
GE's SQL datasource over DuckDB fails every expectation with a MetricResolutionError) in an
ephemeral context, builds Data Docs into a folder, then :func:`make_offline` rewrites every
generated HTML/CSS/JS/SVG file so that it references no external host: GE's pages pull Bootstrap,
jQuery, Vega and Font Awesome from public CDNs and embed a logo on GX's S3 bucket tagged with the
data context id. Those tags are removed (the pages become static HTML with a small inline style
sheet); any other external URL is replaced by ``#`` in attributes and dropped from text, and GX's
unused SVG logos (whose XML namespaces are URLs) and its fonts (licence URLs in their metadata) are
deleted.

great_expectations is imported inside the functions: it takes seconds to import.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from data_contracts.ge_suite import engine_errors, great_expectations_suite

if TYPE_CHECKING:
    import pandas as pd

    from data_contracts.model import Contract

__all__ = ["EXTERNAL_REFERENCE", "DocsTableResult", "build_data_docs", "external_references", "make_offline"]

SITE_NAME = "flrisk_data_docs"
_TEXT_SUFFIXES = {".html", ".htm", ".css", ".js", ".json"}
# GX's unused SVG logos (XML namespaces are URLs) and its fonts (licence URLs in their metadata):
# deleted; the pages fall back to system fonts.
_DROPPED_SUFFIXES = {".svg", ".otf", ".ttf", ".woff", ".woff2"}
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_HOST = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
# http://, https:// or protocol-relative //host (not the // of a scheme already matched).
EXTERNAL_REFERENCE = re.compile(rf"(?:https?:)?(?<![:/\w])//{_HOST}|https?://{_HOST}", re.IGNORECASE)
_URL = rf"(?:(?:https?:)?//{_HOST}[^\s\"'<>)]*)"
_EXTERNAL_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc\s*=\s*[\"']?{_URL}[^>]*>.*?</script\s*>", re.I | re.S)
_ANY_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)
_EXTERNAL_TAG = re.compile(
    rf"<(?:link|img|iframe|source)\b[^>]*\b(?:href|src)\s*=\s*[\"']?{_URL}[^>]*>", re.I
)
_ATTRIBUTE_URL = re.compile(rf"(\b(?:href|src|action|xmlns(?::\w+)?)\s*=\s*)([\"']){_URL}\2", re.I)
_CSS_URL = re.compile(rf"url\(\s*[\"']?{_URL}[\"']?\s*\)", re.I)
_CSS_IMPORT = re.compile(rf"@import\s+[^;]*{_URL}[^;]*;", re.I)
_BARE_URL = re.compile(_URL, re.I)
_FOOTER = re.compile(r"<footer\b.*?</footer\s*>", re.I | re.S)  # GX's newsletter call-out
_NO_ASSET = "Data asset: None"

OFFLINE_STYLE = """<style id="flrisk-offline">
/* flrisk: the Bootstrap subset GE's Data Docs use, inline (the CDN copy is removed for offline use) */
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212529;
background:#fff;line-height:1.45;font-size:15px}
a{color:#0b63c5}h1,h2,h3,h4,h5{margin:.6rem 0 .4rem;font-weight:600}.lead{font-size:1.05rem;color:#555}
.container,.container-fluid{padding:0 1rem}.row{display:flex;flex-wrap:wrap;margin:0}
.col-12,.col-xs-12,.col-sm-12{flex:0 0 100%;max-width:100%}.col-6{flex:0 0 50%}
@media(min-width:768px){.col-md-2,.col-lg-2{flex:0 0 18%;max-width:18%}
.col-md-10,.col-lg-10{flex:0 0 80%;max-width:80%}}
.navbar{display:flex;align-items:center;gap:1rem;padding:.4rem 1rem;height:auto!important}
.sticky-top{position:sticky;top:0;background:#fff;z-index:2}.border-bottom{border-bottom:1px solid #dee2e6}
.navbar-brand{display:none}.breadcrumb{display:flex;list-style:none;gap:.4rem;margin:0;padding:0}
.breadcrumb-item+.breadcrumb-item::before{content:"/ ";color:#6c757d}
.bg-light{background:#f8f9fa}.rounded{border-radius:.3rem}.nav{list-style:none;padding:0;margin:0}
.ge-navigation-sidebar-container{display:block;overflow:auto;padding:.4rem}
.nav-link{display:block;padding:.15rem .4rem;text-decoration:none;font-size:.85rem}
.card{border:1px solid #dee2e6;border-radius:.3rem;margin:0 0 .8rem}
.card-header{background:#f1f3f5;padding:.4rem .6rem;border-bottom:1px solid #dee2e6}.card-body{padding:.6rem}
.table{border-collapse:collapse;width:100%;margin:.4rem 0}.table td,.table th{border:1px solid #dee2e6;
padding:.3rem .5rem;vertical-align:top;text-align:left}.table-sm td,.table-sm th{padding:.2rem .4rem}
.table-responsive{overflow-x:auto}.show-scrollbars{overflow:auto}
.alert{padding:.4rem .6rem;border:1px solid #d6d8db;background:#f1f3f5;border-radius:.3rem;margin:.4rem 0}
.ge-section{clear:both;margin-bottom:1.5rem}.text-danger{color:#b00020}.text-success{color:#1b7f3b}
.h6{font-weight:600}.badge{display:inline-block;padding:.05rem .4rem;border-radius:.3rem;background:#e9ecef}
.d-none,.collapse,.btn,.btn-group{display:none}footer{display:none}
.fas{font-style:normal;font-weight:700;display:inline-block;width:1.1em;text-align:center}
.fa-times::before{content:"\\2717"}.fa-check-circle::before{content:"\\2713"}
.fa-exclamation-triangle::before{content:"!"}.fa-info-circle::before{content:"i"}
.fa-question-circle::before{content:"?"}.fa-bars::before{content:"\\2261"}
</style>"""


@dataclass(frozen=True)
class DocsTableResult:
    """One table's validation outcome as the Data Docs show it."""

    table: str
    success: bool
    failed_expectations: tuple[str, ...]
    engine_errors: tuple[str, ...]
    expectations: int = 0  # as many as the contract has rules


def build_data_docs(
    frames: dict[str, tuple[Contract, pd.DataFrame]], out_dir: Path
) -> tuple[Path, list[DocsTableResult]]:
    """Validate each ``{table: (contract, frame)}`` and build offline Data Docs into ``out_dir``.

    Returns the site's ``index.html`` and one :class:`DocsTableResult` per table. Expectations
    that raised (an engine failure, see :func:`~data_contracts.ge_suite.engine_errors`) are
    listed separately from data failures.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
        },
    )
    source = context.data_sources.add_pandas("flrisk_warehouse")
    outcomes = []
    for table, (contract, frame) in frames.items():
        suite = context.suites.add(great_expectations_suite(contract))
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all_rows")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=table, data=batch, suite=suite)
        )
        # One checkpoint per frame: a checkpoint passes its batch parameters to every validation.
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{table}__docs",
                validation_definitions=[definition],
                # no UpdateDataDocsAction: it would rebuild the whole site once per table; built once below
                actions=[],
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        for result in run.run_results.values():
            failed = tuple(
                (r.expectation_config.meta or {}).get("check", r.expectation_config.type)
                for r in result.results
                if not r.success
            )
            outcomes.append(
                DocsTableResult(
                    table, bool(result.success), failed, tuple(engine_errors(result)), len(result.results)
                )
            )
    context.build_data_docs(site_names=[SITE_NAME])
    make_offline(out_dir)
    _name_data_assets(out_dir)
    index = out_dir / "index.html"
    index.write_text(_index_page(out_dir, outcomes), encoding="utf-8")
    return index, outcomes


def _name_data_assets(site_dir: Path) -> None:
    """GX prints "Data asset: None" for a dataframe asset: write the table's name instead (each
    validation page sits under validations/<schema>/<table>/)."""
    for page in (site_dir / "validations").rglob("*.html"):
        schema, table = page.relative_to(site_dir / "validations").parts[:2]
        text = page.read_text(encoding="utf-8")
        if _NO_ASSET in text:
            page.write_text(
                text.replace(_NO_ASSET, f"Data asset: {html.escape(schema)}.{html.escape(table)}"), "utf-8"
            )


def _index_page(site_dir: Path, outcomes: list[DocsTableResult]) -> str:
    """A static index (GE's own index fills its tables with bootstrap-table JavaScript from a CDN)."""
    rows = []
    for outcome in outcomes:
        schema, table = outcome.table.split(".", 1)
        validations = sorted((site_dir / "validations" / schema / table).rglob("*.html"))
        suite = site_dir / "expectations" / schema / f"{table}.html"
        links = [
            f'<a href="{html.escape(p.relative_to(site_dir).as_posix())}">validation result</a>'
            for p in validations[-1:]
        ]
        if suite.is_file():
            links.append(
                f'<a href="{html.escape(suite.relative_to(site_dir).as_posix())}">expectation suite</a>'
            )
        status = f"{outcome.expectations} expectations: " + (
            "all passed" if outcome.success else f"{len(outcome.failed_expectations)} failed"
        )
        if outcome.engine_errors:
            status += f", {len(outcome.engine_errors)} engine errors"
        css = "text-success" if outcome.success else "text-danger"
        rows.append(
            f'<tr><td>{html.escape(outcome.table)}</td><td class="{css}">{html.escape(status)}</td>'
            f"<td>{' | '.join(links)}</td></tr>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>flrisk Great Expectations Data Docs</title>\n{OFFLINE_STYLE}\n</head>\n<body>\n"
        '<p><a href="../index.html">Data-quality summary</a></p>\n'
        "<h1>Great Expectations Data Docs</h1>\n<p>Every contract-checked table validated with its "
        "contract's suite: one expectation per contract rule, the same rules the summary and the Dagster "
        "asset checks count (rules GE cannot run itself are evaluated by DuckDB and carried as "
        "<code>flrisk_rule__*</code> verdict columns).</p>\n"
        '<table class="table table-sm"><tr><th>table</th><th>result</th><th>pages</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>\n</body>\n</html>\n"
    )


def make_offline(site_dir: Path) -> list[Path]:
    """Rewrite every text file under ``site_dir`` so it references no external host.

    Removes scripts (their libraries come from CDNs), external ``<link>``/``<img>`` tags and CSS
    ``url()``/``@import`` of external hosts, points other external attributes at ``#``, drops bare
    external URLs from text, and adds a small inline style sheet to each HTML page. Returns the
    files changed.
    """
    changed = []
    for path in sorted(Path(site_dir).rglob("*")):
        if not path.is_file() or path.suffix.lower() not in _TEXT_SUFFIXES | _DROPPED_SUFFIXES:
            continue
        if path.suffix.lower() in _DROPPED_SUFFIXES:
            path.unlink()
            changed.append(path)
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        cleaned = _clean(text, path.suffix.lower())
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
            changed.append(path)
    return changed


def external_references(site_dir: Path) -> dict[Path, list[str]]:
    """Every ``http://``, ``https://`` or ``//host`` reference left in any file under ``site_dir``
    (binary files included, read as Latin-1)."""
    found = {}
    for path in sorted(Path(site_dir).rglob("*")):
        if path.is_file():
            hits = EXTERNAL_REFERENCE.findall(path.read_bytes().decode("latin-1"))
            if hits:
                found[path] = hits
    return found


def _clean(text: str, suffix: str) -> str:
    if suffix in {".html", ".htm"}:
        text = _EXTERNAL_SCRIPT.sub("", text)
        text = _ANY_SCRIPT.sub("", text)
        text = _EXTERNAL_TAG.sub("", text)
        # a function, not a template: re.sub would read the CSS's backslash escapes as octal ("\\2717")
        text = re.sub(r"</head>", lambda _: OFFLINE_STYLE + "</head>", text, count=1, flags=re.I)
        text = _FOOTER.sub("", text)
    if suffix == ".js":
        text = "/* removed for offline use */\n"
    text = _FONT_FACE.sub("", text)
    text = _CSS_IMPORT.sub("", text)
    text = _CSS_URL.sub("none", text)
    text = _ATTRIBUTE_URL.sub(lambda m: f"{m[1]}{m[2]}#{m[2]}", text)
    return _BARE_URL.sub("", text)
