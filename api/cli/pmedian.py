"""``gridplan pmedian``: solve an OR-Library p-median file and print a checkable answer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from geodata.orlib import read_pmed
from gridplan.facility import PMedianParams, PMedianProblem, solve_pmedian


@click.command("pmedian")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--p", "p", type=click.IntRange(min=1), default=None,
              help="Sites to open (default: the file's p).")
@click.option("--method", type=click.Choice(["auto", "exact", "heuristic"]), default="auto",
              show_default=True, help="MILP (HiGHS), greedy + fast interchange, or by size.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=0, min_open=True),
              default=60.0, show_default=True, help="Seconds for the MILP / LP bound.")
@click.option("--seed", type=int, default=0, show_default=True, help="Heuristic seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def pmedian(file: Path, p: int | None, method: str, time_limit_s: float, seed: int,
            as_json: bool) -> None:
    """Open p sites minimising the total shortest-path distance of every vertex to its nearest
    open site (Beasley's OR-Library pmed format). Sites are printed 1-based, as in the file."""
    inst = read_pmed(file)
    problem = PMedianProblem.from_cost_matrix(inst.distances(), p or inst.p)
    result = solve_pmedian(problem, params=PMedianParams(
        method=method, time_limit_s=time_limit_s, seed=seed))  # type: ignore[arg-type]
    payload = {
        "file": str(file), "p": problem.p, "objective": result.objective,
        "lower_bound": result.lower_bound, "gap": result.gap, "status": result.status,
        "method": result.method, "bound_source": result.bound_source,
        "runtime_s": round(result.runtime_s, 3), "sites": [j + 1 for j in result.sites],
        "valid": result.is_valid(),
    }
    if as_json:
        click.echo(json.dumps(payload, indent=1))
        return
    click.echo(result.summary())
    click.echo(f"sites (1-based): {' '.join(map(str, payload['sites']))}")
