"""The faster paths of entity resolution give exactly what the plain ones give (issue 14, speed pass).

Each shortcut is checked against the straightforward computation it replaces: the trie regex against
the plain longest-first alternation, the word shortcut against always substituting, the one-pass
name fields against the four scalar functions, features per distinct text pair against features per
pair, the forked normalisation against the in-process one, and Monge-Elkan against a direct loop.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from entity_resolution import parallel_map
from entity_resolution.features import _numbers_disjoint, broken_spacing, house_number_sets, pair_features
from entity_resolution.normalise import (
    _ROMAN_WORDS,
    PhraseSubstitution,
    _basic,
    _without_legal_forms,
    address_column,
    arabic,
    core_name,
    despaced,
    name_columns,
    name_fields,
    name_numbers,
    normalise_address,
    normalise_name,
    phrase_pattern,
    unit_numbers,
)
from entity_resolution.resolve import prepare
from entity_resolution.scoring import _name_similarities
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import to_records
from entity_resolution.text_codes import distinct_pairs, representatives, with_text_codes
from entity_resolution.tokens import monge_elkan, monge_elkan_coded

PHRASES = ["co", "co ltd", "company", "company limited", "ltd", "limited", "pt", "s a", "sa de cv", "de"]
TEXTS = [
    "acme co ltd",
    "acme co ltdx",
    "acme company limited",
    "coco co",
    "s a de cv sa de cv",
    "pt sa de c",
    "ltd",
    "",
    "unco co",
    "company limitedco ltd",
]
NAMES = [
    "Jeans Knit Unit II (Dhaka) Co., Ltd.",
    "Jeans Knit Plant 2",
    "和田泰达服装有限公司",
    "Yantai Jinxiang Sporting Goods",
    "Jinxiang Sporting Goods (Yantai)",
    "Công ty TNHH May Việt Tiến",
    "Decew Falls II",
    "S A I G O N Garment",
    "(only parentheses)",
    "Delta Power 2 (",
    "",
]


def plain_alternation(phrases: list[str]) -> re.Pattern[str]:
    """What the reference lists used to compile to: every phrase, longest first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


def test_the_trie_regex_matches_what_the_plain_alternation_matches():
    trie, plain = phrase_pattern(PHRASES), plain_alternation(PHRASES)
    for text in TEXTS:
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)], text
    assert trie.sub("#", "acme company limited co") == "acme # #"


def test_the_word_shortcut_substitutes_exactly_as_the_pattern_does():
    substitute = PhraseSubstitution(PHRASES, "_")
    assert substitute.first_words == {"co", "company", "ltd", "limited", "pt", "s", "sa", "de"}
    for text in [*TEXTS, "nothing to replace here", "cooperative"]:
        assert substitute(text) == plain_alternation(PHRASES).sub("_", text), text
    assert PhraseSubstitution(["s.a."], "_").first_words is None  # not plain words: no shortcut


def test_name_fields_equal_the_four_scalar_functions():
    for name in [*NAMES, None]:
        assert name_fields(name) == (
            normalise_name(name),
            core_name(name),
            unit_numbers(name),
            name_numbers(name),
        ), name


def test_name_and_address_columns_follow_the_input_order_with_nulls():
    names = pl.Series([*NAMES, None, NAMES[0]], dtype=pl.String)
    columns = name_columns(names)
    assert columns.columns == ["name_norm", "core_norm", "units", "numbers"]
    assert columns.rows() == [name_fields(name) for name in names.to_list()]
    addresses = pl.Series(["新疆和田市北京西路88号", None, "12 Rd No. 5", "12 Rd No. 5"], dtype=pl.String)
    assert address_column(addresses).to_list() == [normalise_address(a) for a in addresses.to_list()]


def test_forked_normalisation_gives_the_same_columns(monkeypatch):
    names = pl.Series([f"{name} {i % 7}" for i in range(60) for name in NAMES[:4]])
    in_process = name_columns(names)
    monkeypatch.setattr(parallel_map, "PARALLEL_FROM", 10)
    monkeypatch.setattr(parallel_map, "usable_cores", lambda: 2)
    assert name_columns(names).equals(in_process)
    assert parallel_map.map_values(normalise_address, ["Rd 1", "St 2"] * 10) == ["road 1", "street 2"] * 10


def test_distinct_pairs_spread_back_to_every_pair():
    left, right = np.array([3, 1, 3, 0, 1]), np.array([2, 2, 2, 0, 2])
    unique_l, unique_r, inverse = distinct_pairs(left, right)
    assert list(zip(unique_l, unique_r, strict=True)) == [(0, 0), (1, 2), (3, 2)]
    assert unique_l[inverse].tolist() == left.tolist() and unique_r[inverse].tolist() == right.tolist()
    assert representatives(np.array([1, 0, 1, 2, 0])).tolist() == [1, 0, 3]


def _records() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(8)],
            "name": [
                "Qua Nmada La Appa Rel Pv T Lt D",
                "ACME KNIT LIMITED",
                "Acme Knit (Unit 2)",
                "Beta Dyeing",
                "Beta Dyeing",
                "Acme Knit Ltd",
                "Gamma",
                None,
            ],
            "address": ["1 Road", "1 Rd", None, "9 Street", "", "1 Road", "7 Lane 12", "1 Road"],
            "country": ["BD"] * 8,
            "lat": [23.7, 23.7, None, 23.8, 23.8, 23.7, None, 23.7],
            "lng": [90.4, 90.4, None, 90.5, 90.5, 90.4, None, 90.4],
        }
    )
    return prepare(to_records(frame))


def _features_pair_by_pair(records: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Features computed one pair at a time, each with its own fresh text codes."""
    return pl.concat(
        [pair_features(records, pairs.slice(row, 1), ResolutionSettings()) for row in range(pairs.height)]
    )


def test_features_per_distinct_text_pair_equal_features_per_pair():
    records = _records()
    every = [(a, b) for a in range(records.height) for b in range(records.height) if a != b]
    pairs = pl.DataFrame(every, schema={"left": pl.UInt32, "right": pl.UInt32}, orient="row")
    together = pair_features(records, pairs, ResolutionSettings())
    assert together.equals(_features_pair_by_pair(records, pairs))
    similar = _name_similarities(with_text_codes(records), pairs)
    reused = pair_features(records, pairs, ResolutionSettings(), similar)
    assert broken_spacing(records["name_norm"]).any()  # so the reuse must also recompute
    assert reused.equals(together)  # the cheap dismissal's name_set / name_compact, reused
    coded = with_text_codes(records)
    assert coded["name_code"].n_unique() < records.height  # some names repeat, so work is shared


def _monge_elkan_directly(left: str, right: str) -> tuple[float, float, float, float]:
    a, b = left.split(), right.split()
    if not a or not b:
        return (0.0, 0.0, 0.0, 0.0)
    best_a = [
        max(float(np.float32(JaroWinkler.normalized_similarity(*sorted((x, y))))) for y in b) for x in a
    ]
    best_b = [
        max(float(np.float32(JaroWinkler.normalized_similarity(*sorted((x, y))))) for x in a) for y in b
    ]
    return (sum(best_a) / len(a), sum(best_b) / len(b), min(best_a), min(best_b))


@pytest.mark.parametrize("size", [1, 5])
def test_monge_elkan_equals_the_direct_definition(size):
    left = ["shanghai huamei knitting", "a b c d e f g h i j", "x", "", "same name", "zz yy"] * size
    right = ["knitting shangahi huamei", "a c e g i k", "", "y", "same name", "yy"] * size
    result = monge_elkan(left, right)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        expected = (1.0,) * 4 if a == b and a.strip() else _monge_elkan_directly(a, b)
        assert tuple(result[:, i]) == pytest.approx(expected, abs=1e-12), (a, b)


ROOT = Path(__file__).resolve().parents[2]
STUCK_WORKER = """
import multiprocessing, os, signal, threading
from entity_resolution import parallel_map

PARENT = os.getpid()


def stuck_in_a_worker(value):
    if os.getpid() != PARENT:
        threading.Event().wait()  # forever, like a worker stuck on a lock it inherited
    return value.upper()


if __name__ == "__main__":
    parallel_map.PARALLEL_FROM = 10
    parallel_map.usable_cores = lambda: 2
    parallel_map.WAIT_SECONDS_AT_LEAST = 1.0
    signal.signal(signal.SIGTERM, lambda *_: None)  # a parent ignoring SIGTERM, as Dagster's handler did
    values = [f"v{i}" for i in range(40)]
    assert parallel_map.map_values(stuck_in_a_worker, values) == [v.upper() for v in values]
    assert not multiprocessing.active_children()
    print("done")
"""


def test_a_stuck_worker_neither_hangs_the_run_nor_outlives_it(tmp_path):
    """Workers forked from a threaded process can get stuck on an inherited lock; past the deadline
    the values are mapped in the process itself, and the stuck workers stop although the parent's
    SIGTERM handler ignores the signal."""
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_WORKER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr[-2000:]


def _as_compared(records: pl.DataFrame, pairs: pl.DataFrame, column: str) -> tuple[list[str], list[str]]:
    """Both sides' texts of `column` as the features compare them: despaced where either name has
    broken spacing."""
    broken = broken_spacing(records["name_norm"])
    texts = records[column].fill_null("").to_list()
    left, right = [], []
    for a, b in pairs.select("left", "right").iter_rows():
        despace = broken[a] or broken[b]
        left.append(despaced(texts[a]) if despace else texts[a])
        right.append(despaced(texts[b]) if despace else texts[b])
    return left, right


def test_sixth_pass_shortcuts_equal_the_plain_definitions():
    """Token-sort features from words sorted once per name, the core-name sort reused where core
    names equal names, house-number bit sets and Monge-Elkan on coded names: each equals the plain
    computation on the two texts of every pair."""
    records = _records().with_columns(
        address_norm=pl.Series(["1 2 road", "01 road", "", "9 street", "007 lane", "1 road", None, "999 1"])
    )
    every = [(a, b) for a in range(records.height) for b in range(records.height) if a != b]
    pairs = pl.DataFrame(every, schema={"left": pl.UInt32, "right": pl.UInt32}, orient="row")
    features = pair_features(records, pairs, ResolutionSettings())
    names_l, names_r = _as_compared(records, pairs, "name_norm")
    core_l, core_r = _as_compared(records, pairs, "core_norm")
    sort = [fuzz.token_sort_ratio(a, b) / 100 for a, b in zip(names_l, names_r, strict=True)]
    core_sort = [fuzz.token_sort_ratio(a, b) / 100 for a, b in zip(core_l, core_r, strict=True)]
    for i, (a, b, ca, cb) in enumerate(zip(names_l, names_r, core_l, core_r, strict=True)):
        lost_l, lost_r = set(a.split()) - set(ca.split()), set(b.split()) - set(cb.split())
        if lost_l and lost_r and lost_l.isdisjoint(lost_r):  # two different sites: the full names
            core_sort[i] = sort[i]
    assert features["name_sort"].to_list() == sort
    assert features["name_core_sort"].to_list() == core_sort
    assert any(a != b for a, b in zip(sort, core_sort, strict=True))  # core names do differ somewhere
    soft = monge_elkan(names_l, names_r)
    assert features["name_soft_min"].to_list() == np.minimum(soft[0], soft[1]).tolist()
    assert features["name_worst_max"].to_list() == np.maximum(soft[2], soft[3]).tolist()
    numbers = [set(re.findall(r"\b[0-9]{1,3}\b", text or "")) for text in records["address_norm"].to_list()]
    conflict = [
        float(bool(numbers[a]) and bool(numbers[b]) and not numbers[a] & numbers[b])
        for a, b in pairs.select("left", "right").iter_rows()
    ]
    assert features["address_number_conflict"].to_list() == conflict
    assert 0 < sum(conflict) < len(conflict)


def test_house_number_sets_tell_numbers_with_leading_zeros_apart():
    bits = house_number_sets(pl.Series(["7 road", "07 road", "007 road", "7", "road", None, "1000 12"]))
    rows = np.arange(7)
    disjoint = _numbers_disjoint(bits, np.repeat(rows, 7), np.tile(rows, 7)).reshape(7, 7)
    assert disjoint[0, 1] and disjoint[1, 2] and disjoint[0, 2]  # "7", "07", "007" are different numbers
    assert not disjoint[0, 3]  # both carry 7
    assert not disjoint[0, 4].any() and not disjoint[5].any()  # no number: never a conflict
    assert disjoint[0, 6]  # 1000 is no house number (4 digits), 12 is


def test_name_numbers_without_roman_words_skip_the_legal_form_pass_exactly():
    names = ["Delta Power 2", "Decew Falls II", "Djerdap I", "S.A. de C.V.", "Mill 7 Ltd", "Xi Textile", "V"]
    for name in names:
        basic = _basic(name)
        words = _without_legal_forms()(basic).split()
        expected = set(re.findall(r"\b[0-9]+\b", basic)) | {arabic(w) for w in words if w in _ROMAN_WORDS}
        if len(words) > 1 and words[-1] in {"i", "v", "x"} and len(words[-2]) > 2:
            expected.add(arabic(words[-1]))
        assert name_numbers(name) == "|".join(sorted(expected)), name


@pytest.mark.parametrize("repeat", [1, 3])
def test_monge_elkan_on_coded_texts_equals_the_list_form(repeat):
    texts = np.asarray(
        ["shanghai huamei knitting", "knitting shangahi huamei", "", "x", "zz  yy", "yy"], dtype=object
    )
    left = np.tile(np.array([0, 1, 2, 3, 4, 0, 5]), repeat)
    right = np.tile(np.array([1, 0, 3, 2, 5, 0, 4]), repeat)
    coded = monge_elkan_coded(texts, left, right)
    assert np.array_equal(coded, monge_elkan(texts[left].tolist(), texts[right].tolist()))
