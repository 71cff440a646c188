"""``python -m benchmarks`` (``make bench``): the benchmarks and how to run each.

Each benchmark is its own module with its own options and takes minutes to hours, so this lists
them (first line of each docstring) rather than running them all; ``python -m benchmarks NAME
[OPTIONS]`` runs one (the same as ``python -m benchmarks.NAME``). Figures go to RESULTS.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import runpy
import sys
from pathlib import Path

HELPERS = {"fixtures"}  # shared fixtures, not a benchmark


def benchmark_names() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)])
                  if not m.name.startswith("_") and m.name not in HELPERS)


def first_line(name: str) -> str:
    doc = importlib.import_module(f"benchmarks.{name}").__doc__ or ""
    return next((line.strip() for line in doc.splitlines() if line.strip()), "")


def main(argv: list[str]) -> int:
    names = benchmark_names()
    if argv and argv[0] in names:
        sys.argv = [f"benchmarks.{argv[0]}", *argv[1:]]
        runpy.run_module(f"benchmarks.{argv[0]}", run_name="__main__")
        return 0
    if argv:
        print(f"no benchmark {argv[0]!r}; one of: {', '.join(names)}", file=sys.stderr)
        return 2
    print("Benchmarks (python -m benchmarks NAME --help for the options; figures in "
          "benchmarks/RESULTS.md):\n")
    for name in names:
        print(f"  {name:<20} {first_line(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
