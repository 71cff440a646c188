"""Check (or show) the README's console examples against real runs of this version.

Every ```console block holds commands (``$ gridplan …``, continued with ``\\``) followed by what
they print. The printed lines are checked in order against a real run:

* a line that is only ``…`` skips any number of printed lines;
* ``…`` inside a line matches any text there (long lists, paths);
* run times (``2.1 s``, ``0:00:02``) and memory (``291 MB``) never have to match.

    python docs/console.py --check            # exit 1 and a diff when an example is stale
    python docs/console.py --show             # print what each command prints now
    python docs/console.py --check --only routes   # blocks whose command mentions 'routes'

Commands run in the repository root with the ``gridplan`` of the Python running this script.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELLIPSIS = "…"
_VOLATILE = re.compile(r"\d+(?:\.\d+)? ?(?:s|ms|MB|MiB)\b|\d+:\d\d:\d\d")


@dataclass(frozen=True)
class Example:
    line: int  # README line of the command
    command: str
    expected: list[str]


def examples(text: str) -> list[Example]:
    """The commands and expected output of every console block of ``text``."""
    out: list[Example] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        i += 1
        command, start, expected = None, 0, []
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ "):
                if command is not None:
                    out.append(Example(start, command, expected))
                start, parts = i + 1, [line[2:]]
                while parts[-1].endswith("\\") and i + 1 < len(lines):
                    i += 1
                    parts.append(lines[i].strip())
                command, expected = " ".join(p.rstrip("\\").strip() for p in parts), []
            elif command is not None:
                expected.append(line)
            i += 1
        if command is not None:
            out.append(Example(start, command, expected))
        i += 1
    return out


def run(command: str, *, timeout_s: float = 600) -> list[str]:
    """What ``command`` prints (stdout then stderr, as a terminal shows them interleaved is not
    needed: the examples print one or the other)."""
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout_s)
    return (done.stdout + done.stderr).splitlines()


def _pattern(line: str) -> re.Pattern[str]:
    parts = []
    for piece in re.split(f"({ELLIPSIS})", _VOLATILE.sub("\0", line.rstrip())):
        if piece == ELLIPSIS:
            parts.append(".*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in piece.split("\0")))
    return re.compile("^" + "".join(parts) + r"\s*$")


def matches(expected: list[str], actual: list[str]) -> bool:
    """Do the printed lines fit the example (see the module docstring)?"""
    return _match(expected, 0, [a.rstrip() for a in actual], 0)


def _match(expected: list[str], i: int, actual: list[str], j: int) -> bool:
    while i < len(expected):
        if expected[i].strip() == ELLIPSIS:
            return any(_match(expected, i + 1, actual, k) for k in range(j, len(actual) + 1))
        if j >= len(actual) or not _pattern(expected[i]).match(actual[j]):
            return False
        i, j = i + 1, j + 1
    return j == len(actual)


def check(readme: Path, only: str | None = None) -> list[str]:
    """A report line per stale example (empty when every example fits)."""
    stale = []
    for ex in examples(readme.read_text(encoding="utf-8")):
        if only and only not in ex.command:
            continue
        actual = run(ex.command)
        if not matches(ex.expected, actual):
            stale.append(f"{readme.name}:{ex.line}: $ {ex.command}\n  expected:\n    "
                         + "\n    ".join(ex.expected) + "\n  printed:\n    "
                         + "\n    ".join(actual))
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when an example is stale")
    parser.add_argument("--show", action="store_true", help="print each command's output")
    parser.add_argument("--only", help="only blocks whose command contains this text")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()
    if args.show:
        for ex in examples(args.readme.read_text(encoding="utf-8")):
            if not args.only or args.only in ex.command:
                print(f"$ {ex.command}", *run(ex.command), sep="\n")
        return 0
    stale = check(args.readme, args.only)
    print("\n\n".join(stale) or "every console example fits this version")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
