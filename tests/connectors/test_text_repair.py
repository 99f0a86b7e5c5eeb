"""Mojibake repaired at staging: a supplier list that is valid UTF-8 but carries names mangled upstream
(UTF-8 once decoded as cp1252: "YÃ¼cel" for "Yücel") is staged with the names as written; the raw cells
stay as received, and the vectorised and row paths agree."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from connectors.frames.values import repaired_series
from connectors.parsing import repaired
from connectors.reading.files import raw_frame, read_table_file
from connectors.sources import supplier_list

WRITTEN = [
    ("Yücel Toprak Giyim San. Tic. Ltd. Şti.", "İnönü Caddesi 608, Kahramanmaraş", "Turkey"),
    ("Công ty TNHH May Việt Tiến", "Số 7 Lê Minh Xuân, Quận Tân Bình", "Vietnam"),
    ("Plásticos del Valle", "Av. Federal No. 55, Mérida", "Mexico"),
]


def mangled(text: str) -> str:
    """UTF-8 bytes read as cp1252 (undefined bytes kept as the C1 control of the same number)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


def test_a_list_with_mangled_names_is_staged_with_the_names_as_written(tmp_path):
    path = tmp_path / "mangled.csv"
    rows = ["name,address,country"] + [f'"{mangled(n)}","{mangled(a)}",{c}' for n, a, c in WRITTEN]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    raw = raw_frame(read_table_file(path), "load-1", "Contributor")
    fast, by_rows = supplier_list.standardise(raw), supplier_list.standardise_rows(raw)
    assert_frame_equal(fast.tables["facility_records"], by_rows.tables["facility_records"])
    records = fast.tables["facility_records"].sort("source_row")
    assert records["name"].to_list() == [n for n, _, _ in WRITTEN]
    assert records["address"].to_list() == [a for _, a, _ in WRITTEN]
    assert records["name_raw"].to_list() == [mangled(n) for n, _, _ in WRITTEN]


def test_text_written_as_intended_is_never_changed():
    texts = ["CAFÉ–BAR", "ÉTABLISSEMENTS ÂGE D’OR", "Señor Ñoño", "和田泰达服装有限公司", "Gül Doğuş", None]
    assert [repaired(t) if t is not None else None for t in texts] == texts
    assert repaired_series(pl.Series(texts, dtype=pl.String)).to_list() == texts
