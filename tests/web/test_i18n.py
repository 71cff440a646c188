"""The screens' message table (api/web/i18n.json) words every stable code the library hands
them, in both languages; so a new code cannot reach a Chinese screen as an English sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gridplan.grids.observed import CAUSES, PERIODS
from gridplan.routing.plan_result import UNCOVERED_REASONS

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
STRINGS = json.loads((WEB / "i18n.json").read_text(encoding="utf-8"))


def test_both_languages_have_the_same_keys():
    assert set(STRINGS["zh"]) == set(STRINGS["en"])


def _track_flags() -> set[str]:
    from geodata.tracks import _FIXES

    return set(_FIXES)


@pytest.mark.parametrize(("prefix", "codes"), [
    ("cause_", set(CAUSES)),
    ("uncovered_", set(UNCOVERED_REASONS)),
    ("flag_", _track_flags()),
    ("flagfix_", _track_flags()),
])
def test_every_code_of_a_result_has_its_words(prefix, codes):
    assert {f"{prefix}{code}" for code in codes} <= set(STRINGS["zh"])


def test_every_period_of_an_observed_blind_spot_has_its_words():
    grids = (WEB / "static" / "grids.js").read_text(encoding="utf-8")
    table = re.search(r"const PERIOD_LABEL = \{([^}]*)\}", grids).group(1)
    labels = dict(re.findall(r"(\w+): '([^']+)'", table))
    assert set(labels) == set(PERIODS) and set(labels.values()) <= set(STRINGS["zh"])


def test_every_literal_key_a_screen_asks_for_exists():
    asked = set()
    for script in (WEB / "static").glob("*.js"):
        asked |= set(re.findall(r"\btf?\('([a-z0-9_ ]+)'", script.read_text(encoding="utf-8")))
    assert asked - set(STRINGS["zh"]) == set()
