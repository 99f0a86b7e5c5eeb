"""Sourcing commands asked before there is anything to read, or asked nothing: one line saying what to
do, exit 2, never a traceback, and never "not recorded" for a command that only lists."""

from __future__ import annotations

import pytest

from tests.pipelines.operations_support import run_flrisk


@pytest.mark.parametrize("command", [["review-match", "--list"], ["review-hit", "--list"]])
def test_listing_reviews_without_a_warehouse_says_how_to_get_one(tmp_path, command):
    result = run_flrisk(tmp_path, *command, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("no warehouse at ") and "flrisk demo" in result.stderr
    assert "not recorded" not in result.stderr and "Traceback" not in result.stderr


def test_deciding_without_a_warehouse_says_nothing_was_recorded(tmp_path):
    result = run_flrisk(tmp_path, "review-match", "a:b", "--same", "--by", "Ana", timeout=120)
    assert result.returncode == 2 and result.stderr.startswith("not recorded: no warehouse at ")


@pytest.mark.parametrize("text", ["", "   "])
def test_search_for_nothing_is_refused(tmp_path, text):
    result = run_flrisk(tmp_path, "search", text, timeout=120)
    assert result.returncode == 2 and "give a word to search for" in result.stderr
