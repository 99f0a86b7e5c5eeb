"""A name that is nothing but a legal form ("Co., Ltd.", "有限公司") names no firm: records carrying one
are never merged on it, whatever else they share; a name with a firm's own word still merges."""

from __future__ import annotations

import polars as pl

from entity_resolution.normalise import names_no_firm
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame


def _facilities(rows: list[tuple]) -> dict[str, str]:
    frame = pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row")
    result = resolve_frame(frame)
    return dict(zip(result["record_id"], result["facility_id"], strict=True))


def test_only_legal_forms_or_nothing_names_no_firm():
    names = pl.Series(["co ltd", "company limited", "", None, "ltd", "huafeng co ltd", "k and s", "apparel"])
    assert names_no_firm(names).tolist() == [True, True, True, True, True, False, False, False]


def test_records_named_only_by_a_legal_form_stay_apart():
    by_id = _facilities(
        [
            ("1", "Co., Ltd.", None, "VN", None, None),
            ("2", "Co., Ltd.", None, "VN", None, None),
            ("3", "Co., Ltd.", "12 Nguyen Trai, Hanoi", "VN", 21.0, 105.8),
            ("4", "CO LTD", "12 Nguyen Trai, Hanoi", "VN", 21.0, 105.8),
            ("5", "有限公司", None, "CN", None, None),
            ("6", "有限公司", None, "CN", None, None),
            ("7", "Huafeng Apparel Co., Ltd.", "12 Nguyen Trai, Hanoi", "VN", 21.0, 105.8),
            ("8", "HUAFENG APPAREL COMPANY LIMITED", "12 Nguyen Trai, Hanoi", "VN", 21.0, 105.8),
        ]
    )
    assert len({by_id[i] for i in "123456"}) == 6
    assert by_id["7"] == by_id["8"] and by_id["7"] not in {by_id[i] for i in "1234"}
