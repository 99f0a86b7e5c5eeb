"""Great Expectations Data Docs: built offline from a tiny frame, failures reported as failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_contracts import load_contract
from data_contracts.ge_docs import build_data_docs, external_references, make_offline

pd = pytest.importorskip("pandas")

# Any http://, https:// or protocol-relative //host reference (file:/// paths are local).
EXTERNAL = re.compile(rb"https?://|(?<![:/])//[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory):
    contract = load_contract("published.list_screening_hits")
    frame = pd.DataFrame({name: [None] for name in contract.column_names})  # every not_null fails
    out = tmp_path_factory.mktemp("docs") / "data_docs"
    index, results = build_data_docs({contract.qualified_name: (contract, frame)}, out)
    return out, index, results


def test_docs_are_built(docs) -> None:
    out, index, _ = docs
    assert index == out / "index.html" and index.is_file()
    pages = list(out.rglob("*.html"))
    assert any("validations" in p.parts for p in pages)
    assert "published.list_screening_hits" in index.read_text(encoding="utf-8")


def test_no_generated_file_references_an_external_host(docs) -> None:
    out, _, _ = docs
    offending = {
        str(p.relative_to(out)): EXTERNAL.findall(p.read_bytes())[:3]
        for p in out.rglob("*")
        if p.is_file() and EXTERNAL.search(p.read_bytes())
    }
    assert offending == {}
    assert external_references(out) == {}
    for page in out.rglob("*.html"):
        assert "<script" not in page.read_text(encoding="utf-8").lower()


def test_failing_expectation_is_reported_as_failed(docs) -> None:
    out, _, results = docs
    (result,) = results
    assert not result.success
    assert result.engine_errors == ()
    assert "list_screening_hits__hit_id__not_null" in result.failed_expectations
    page = next(p for p in out.rglob("*.html") if "validations" in p.parts).read_text(encoding="utf-8")
    assert "text-danger" in page  # GE marks failed expectations


def test_make_offline_rewrites_cdn_tags_and_urls(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example.com/b.css">'
        '<script src="//code.example.com/jq.js"></script><script>$(1)</script></head>'
        '<body><img src="https://s3.example.com/logo.png?d=ctx-id">'
        '<a href="https://example.org/docs">docs</a> see http://example.net/x</body></html>',
        encoding="utf-8",
    )
    css = tmp_path / "s.css"
    css.write_text(
        '@import url("https://fonts.example.com/f.css");\n.a{background:url(https://x.example.com/i.png)}',
        encoding="utf-8",
    )
    make_offline(tmp_path)
    assert external_references(tmp_path) == {}
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and ">docs</a>" in html
    assert "flrisk-offline" in html


def test_pages_are_styled_offline_without_newsletter_or_unnamed_asset(docs) -> None:
    """Issue 19: status icons are real glyphs (not "³3"), no GX newsletter, the data asset is named."""
    out, index, results = docs
    validation = next(p for p in out.rglob("*.html") if "validations" in p.parts).read_text(encoding="utf-8")
    assert 'content:"\\2717"' in validation and 'content:"\\2713"' in validation
    assert "\u00b9" not in validation and "\u00b3" not in validation
    assert "newsletter" not in validation.lower() and "<footer" not in validation
    assert "Data asset: None" not in validation
    assert "Data asset: published.list_screening_hits" in validation
    assert ".card{" in validation and ".table td" in validation  # the Bootstrap subset GE's markup needs
    (result,) = results
    contract = load_contract("published.list_screening_hits")
    assert result.expectations == len(contract.checks())
    assert f"{len(contract.checks())} expectations" in index.read_text(encoding="utf-8")
