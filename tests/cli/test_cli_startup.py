"""``gridplan --help`` / ``--version`` start at once: no heavy library is imported (issue 11.6)."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import COMMANDS, cli

ROOT = Path(__file__).parents[2]
HEAVY = ("geopandas", "scipy", "sqlalchemy", "folium", "shapely", "pandas", "networkx", "fastapi")

_PROBE = """
import json, sys
from api.cli import main
sys.argv = ["gridplan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_help_and_version_import_no_heavy_library(args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=set(HEAVY)), *args],
        capture_output=True, text=True, env=env, check=True, cwd=ROOT,
    ).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded == [], f"gridplan {' '.join(args)} imported {loaded}"


def test_every_command_is_listed_with_its_own_help():
    """The lazy table's names and one-line help are the commands' own (no drift)."""
    for name, entry in COMMANDS.items():
        command = getattr(importlib.import_module(entry.module), entry.attr)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == entry.short_help


def test_unknown_command_is_a_usage_error():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output
