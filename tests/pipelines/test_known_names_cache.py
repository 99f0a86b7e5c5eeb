"""The known-names table of name normalisation is saved under the home and reused by later runs
(`assets.known_names_cache`, issue 19 fast loads): the same table, without romanising the Chinese
known names again (so a run of Latin-script names never loads pypinyin); a saved file made by other
code or reference files, or damaged, is never used."""

from __future__ import annotations

import json
import shutil

import pytest

from assets import known_names_cache
from assets.known_names_cache import PREFIX, table_fingerprint, use_saved_known_names
from entity_resolution import normalise
from tests.pipelines.operations_support import python_probe


@pytest.fixture(autouse=True)
def built_table_afterwards():
    yield
    normalise._KNOWN_NAMES["given"] = None
    for cached in (normalise._known_name_table, normalise.normalise_name, normalise.core_name):
        cached.cache_clear()


def test_the_table_is_built_and_saved_once_then_read_back_identical(tmp_path):
    built = normalise.known_name_table()
    assert not use_saved_known_names(tmp_path)  # nothing saved yet: built, then saved
    saved = tmp_path / f"{PREFIX}{table_fingerprint()}.json"
    assert json.loads(saved.read_text(encoding="utf-8"))["table"] == built
    assert use_saved_known_names(tmp_path)
    assert normalise.known_name_table() == built
    assert normalise.normalise_name("昌吉溢达纺织有限公司") == normalise.normalise_name(
        "Changji Esquel Textile Co., Ltd."
    )


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"fingerprint": "someone-else", "table": {"a": "b"}}),
        json.dumps({"table": {"a": "b"}}),
        json.dumps({"fingerprint": "FP", "table": {"a": 1}}),
        json.dumps({"fingerprint": "FP", "table": {}}),
        json.dumps(["FP"]),
    ],
)
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(tmp_path, content):
    fingerprint = table_fingerprint()
    path = tmp_path / f"{PREFIX}{fingerprint}.json"
    path.write_text(content.replace("FP", fingerprint), encoding="utf-8")
    assert not use_saved_known_names(tmp_path)
    assert normalise.known_name_table() == json.loads(path.read_text(encoding="utf-8"))["table"]
    assert normalise.known_name_table().get("a") is None


def test_other_code_or_reference_files_give_another_file_and_old_ones_go(tmp_path, monkeypatch):
    code, original = tmp_path / "entity_resolution", known_names_cache.CODE
    shutil.copytree(original, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(known_names_cache, "CODE", code)
    before = table_fingerprint()
    cache = tmp_path / "cache"
    use_saved_known_names(cache)
    with (code / "reference" / "known_names.csv").open("a", encoding="utf-8") as handle:
        handle.write("g999,Example Firm Ltd,latin,english,,test,\n")
    assert table_fingerprint() != before
    (code / "reference" / "known_names.csv").write_bytes(
        (original / "reference" / "known_names.csv").read_bytes()
    )
    assert table_fingerprint() == before
    with (code / "normalise.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a change to the normalisation code\n")
    assert table_fingerprint() != before
    assert not use_saved_known_names(cache)  # a new table for the new code; the old file is removed
    assert [path.name for path in cache.iterdir()] == [f"{PREFIX}{table_fingerprint()}.json"]


PROBE = """
import json, sys
from pathlib import Path
from assets.known_names_cache import use_saved_known_names
from entity_resolution.normalise import normalise_name
used = use_saved_known_names(Path(sys.argv[1]))
latin = normalise_name("Changji Esquel Textile Co., Ltd.")
before = "pypinyin" in sys.modules
chinese = normalise_name("昌吉溢达纺织有限公司")
print(json.dumps([used, latin, before, chinese, "pypinyin" in sys.modules]))
"""


def test_a_run_with_the_saved_table_romanises_only_its_own_chinese_names(tmp_path):
    def probe():
        return python_probe(PROBE, str(tmp_path))

    first = probe()
    assert first[0] is False and first[2] is True  # building the table romanised the Chinese names
    second = probe()
    assert second[0] is True and second[2] is False  # the saved table: no pypinyin for Latin names
    assert second[1] == first[1] == second[3] == first[3]  # the same normalisation either way
    assert second[4] is True  # a Chinese name of the run's own is still romanised
