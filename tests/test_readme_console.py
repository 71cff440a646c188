"""The README's console examples are real output of this version (docs/console.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("readme_console", ROOT / "docs" / "console.py")
console = importlib.util.module_from_spec(_spec)
sys.modules["readme_console"] = console  # dataclasses look their module up there
_spec.loader.exec_module(console)  # type: ignore[union-attr]


def test_blocks_are_parsed_with_continuations() -> None:
    text = "x\n```console\n$ gridplan a \\\n    --b c\nout 1\n…\n$ gridplan d\nout 2\n```\n"
    got = console.examples(text)
    assert [(e.command, e.expected) for e in got] == [
        ("gridplan a --b c", ["out 1", "…"]), ("gridplan d", ["out 2"])]


@pytest.mark.parametrize(("expected", "actual", "fits"), [
    (["a", "b"], ["a", "b"], True),
    (["a", "b"], ["a", "c"], False),
    (["a"], ["a", "b"], False),                      # an unlisted line must be elided
    (["a", "…"], ["a", "b", "c"], True),
    (["a", "…", "d"], ["a", "b", "c", "d"], True),
    (["x: … km"], ["x: 3.2 km"], True),
    (["took 2.1 s, 291 MB"], ["took 7.9 s, 310 MB"], True),  # times and memory vary
    (["gap 10.6%"], ["gap 11.0%"], False),           # figures of the plan must match
])
def test_matching_rules(expected, actual, fits) -> None:
    assert console.matches(expected, actual) is fits


def _fast(example) -> bool:
    """Examples quick enough for every test run (the rest: python docs/console.py --check)."""
    return not any(slow in example.command for slow in ("demo", "redesign", "serve", "curl"))


README_EXAMPLES = [e for e in console.examples((ROOT / "README.md").read_text("utf-8"))
                   if _fast(e)]


@pytest.mark.slow
@pytest.mark.parametrize("example", README_EXAMPLES, ids=lambda e: e.command[:60])
def test_readme_example_is_real_output(example) -> None:
    actual = console.run(example.command)
    assert console.matches(example.expected, actual), (
        f"README line {example.line} is stale; `python docs/console.py --show --only "
        f"'{example.command[:30]}'` prints the real output:\n" + "\n".join(actual))
