"""The CLI progress bar (gridplan.progress protocol on rich) and ``gridplan job run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from api.cli import cli
from api.cli.progress import TOTAL, progress_bar
from gridplan.progress import Cancelled, report
from tests.api.conftest import HP, World


@pytest.fixture
def database_url(tmp_path: Path):  # noqa: ANN201 - the CLI path is the same on both databases
    yield f"sqlite:///{tmp_path / 'gridplan.sqlite'}"


def test_bar_follows_fractions_and_cancels_at_the_next_checkpoint() -> None:
    console = Console(file=open("/dev/null", "w"), force_terminal=False)  # noqa: SIM115
    with progress_bar("work", console=console) as bar:
        report(0.25, "a quarter", progress=bar.progress, should_cancel=bar.should_cancel)
        task = bar._rich.tasks[0]
        assert task.completed == TOTAL // 4 and task.fields["status"] == "a quarter"
        bar.cancel()
        with pytest.raises(Cancelled, match="50%"):
            report(0.5, "half", progress=bar.progress, should_cancel=bar.should_cancel)
        assert task.completed == TOTAL // 4  # nothing reported after the cancel
    console.file.close()


def test_job_run_from_the_terminal_uses_role_and_scope(world: World, tmp_path: Path) -> None:
    url = world.db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "result.json"
    args = ["job", "run", "compare_plans", "-p", f"plan_a={world.plans[HP]}",
            "-p", f"plan_b={world.proposals[HP]}", "--database-url", url]
    r = CliRunner().invoke(cli, [*args, "--as-user", "planner", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["a"]["grids"] == 2
    denied = CliRunner().invoke(cli, [*args, "--as-user", "planner_ja"])
    assert denied.exit_code == 1 and "outside your scope" in denied.output
    bad = CliRunner().invoke(cli, ["job", "run", "compare_plans", "-p", "plan_a=x",
                                   "--database-url", url])
    assert bad.exit_code == 2 and "plan_a" in bad.output
