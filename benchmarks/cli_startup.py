"""CLI start-up benchmark (issue 11.6): how long ``gridplan --help`` / ``--version`` take.

    .venv/bin/python -m benchmarks.cli_startup [--repeat 7]

Every case is a fresh ``python`` process, run side by side in one session; the table gives the
median wall time over ``--repeat`` runs, its ratio to the reference ``python -c "import click"``
(goal: at most 3×) and the process's peak resident memory (``wait4`` rusage). The "eager" row
imports every command module, which is what the CLI did before its commands were loaded lazily.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]

_EAGER = "import importlib; from api.cli import COMMANDS; " + (
    "[importlib.import_module(c.module) for c in COMMANDS.values()]"
)

CASES: list[tuple[str, list[str]]] = [
    ('python -c "import click" (reference)', ["-c", "import click"]),
    ("gridplan --help", ["-m", "api.cli", "--help"]),
    ("gridplan --version", ["-m", "api.cli", "--version"]),
    ("eager: every command module imported (before)", ["-c", _EAGER]),
]


def run_once(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh interpreter running ``args``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed")
    return seconds, usage.ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    results = {}
    for _ in range(repeat):  # interleaved, so machine load hits every case alike
        for label, args in CASES:
            results.setdefault(label, []).append(run_once(args))
    reference = statistics.median(s for s, _ in results[CASES[0][0]])
    print(f"{'case':<48} {'median s':>9} {'÷ import click':>15} {'peak RSS MB':>12}")
    for label, _ in CASES:
        seconds = statistics.median(s for s, _ in results[label])
        peak = max(m for _, m in results[label])
        print(f"{label:<48} {seconds:>9.3f} {seconds / reference:>14.2f}× {peak:>12.0f}")


if __name__ == "__main__":
    main()
