"""``gridplan solve-instance``: solve an arc-routing benchmark file and print a checkable plan."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.params_options import params_options
from geodata.carp import read_carp
from gridplan.routing.arcroute_result import ArcRoutingResult
from gridplan.routing.arcroute_solver import SearchParams, solve_carp, solve_minmax


@click.command("solve-instance")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1),
    default=None,
    help="Min–max mode: k vehicles/officers, minimise the longest route.",
)
@click.option(
    "--capacity",
    "capacity_mode",
    is_flag=True,
    help="CARP mode (default): least total cost within the file's CAPACIDAD.",
)
@params_options(SearchParams)
@click.option("--json", "as_json", is_flag=True, help="Print the full plan as JSON.")
def solve_instance(
    file: Path,
    k: int | None,
    capacity_mode: bool,
    as_json: bool,
    params: dict,
) -> None:
    """Solve a Belenguer-format CARP file (or a Corberán MM-kWRPP file with --k).

    Routes are printed as vertex walks from the depot back to the depot, numbered as in the file,
    with the (u, v) edges each route serves in the order served, so the plan can be re-checked
    from the file alone.
    """
    if k is not None and capacity_mode:
        raise click.UsageError("choose either --k K (min–max) or --capacity (CARP), not both")
    carp = read_carp(file)
    search = params[SearchParams]
    if k is not None:
        result = solve_minmax(carp.to_instance(capacity=None), k, search)
    else:
        if carp.capacity is None:
            raise click.UsageError(f"{file.name} has no CAPACIDAD; use --k K for min–max mode")
        result = solve_carp(carp.to_instance(), search)
    payload = result_payload(result, file=str(file), notes=carp.notes)
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        click.echo(result.summary())
        for i, route in enumerate(payload["routes"], 1):
            click.echo(
                f"  route {i}: cost {route['cost']:g}, load {route['load']:g}, "
                f"{len(route['served'])} edges served, {len(route['vertices'])} vertices"
            )


def result_payload(
    result: ArcRoutingResult, *, file: str = "", notes: list[str] | None = None
) -> dict:
    """The JSON-ready plan: objective, bound, gap, and every route in the file's vertex labels."""
    instance = result.instance
    label = instance.label
    routes = [
        {
            "vertices": [label(v) for v in walk.vertices],
            "served": [[label(x), label(y)] for x, y, _ in walk.served],
            # 1-based position in LISTA_ARISTAS_REQ: tells parallel edges apart
            "served_edge_numbers": [t + 1 for _, _, t in walk.served],
            "cost": walk.cost,
            "load": walk.load,
        }
        for walk in result.walks()
    ]
    check = result.check()
    return {
        "instance": instance.name,
        "file": file,
        "mode": result.mode,
        "objective": result.objective,
        "objective_meaning": "longest route" if result.mode == "minmax" else "total cost",
        "lower_bound": result.lower_bound,
        "gap_percent": round(100 * result.gap, 4),
        "total_cost": result.total_cost,
        "longest_route": result.longest_route,
        "n_routes": len(routes),
        "capacity": instance.capacity if result.mode != "minmax" else None,
        "depot": label(instance.depot),
        "seed": result.seed,
        "iterations": result.iterations,
        "runtime_s": round(result.runtime_s, 3),
        "verified": check.ok,
        "notes": list(notes or []),
        "routes": routes,
    }
