"""Every Python snippet of the README and docs/ runs on the bundled sample, as a user pastes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def snippets() -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        for i, match in enumerate(_BLOCK.finditer(path.read_text(encoding="utf-8")), 1):
            out.append((f"{path.relative_to(ROOT)}#{i}", match.group(1)))
    return out


def test_the_three_jobs_take_six_lines_each() -> None:
    library = [code for name, code in snippets() if name.startswith("docs/library.md")]
    assert len(library) == 3
    for code in library:
        assert len(code.strip().splitlines()) <= 7  # 6 lines of work and one print


@pytest.mark.slow
@pytest.mark.parametrize(("name", "code"), snippets(), ids=[n for n, _ in snippets()])
def test_snippet_runs(name: str, code: str, monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)  # snippets name the sample by its path in the repository
    exec(compile(code, name, "exec"), {"__name__": "__snippet__"})
    assert capsys.readouterr().out.strip(), f"{name} printed nothing"
