"""``gridplan grids …``: redraw responsibility grids, edit a plan by hand, print rosters.

Each command parses its options, calls one library job (:mod:`gridplan.grids.jobs`, files through
:mod:`geodata.grid_plans`) and prints the result. ``redesign`` with no input files runs on the
bundled central-Shanghai sample: its current layout is ILLUSTRATIVE and its incidents are
SYNTHETIC (both say so in every output). Files written are listed in :mod:`geodata.grid_plans`.
"""

from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import (
    echo_json,
    echo_option_warnings,
    echo_table,
    grids_option,
    incident_options,
    incidents_option,
    json_option,
    jurisdictions_option,
    library_errors_in_option_words,
    network_option,
    out_option,
)
from api.cli.engine import batch_engine, engine_options
from api.cli.params_options import params_options
from gridplan.grids.core import PartitionParams
from gridplan.grids.params import GridSizingParams
from gridplan.grids.roster import ShiftPlanParams
from gridplan.grids.staffing import StaffingParams
from gridplan.routing.params import PatrolParams

UNITS_FILE = "plan_units.geojson"

headcount_option = click.option(
    "--headcount", type=click.IntRange(min=0),
    help="Enforcement officers to share out by workload (default: today's total, or every "
         "grid's need).")
_STAFFING_ALIASES = {"min_officers_per_grid": ("--min-officers",),
                     "max_officers_per_grid": ("--max-officers",)}
staffing_options = params_options(StaffingParams, ShiftPlanParams, aliases=_STAFFING_ALIASES)
#: PatrolParams of the route search only; the patrol policy (speeds, passes, sides, inspection)
#: sizes grid workload exactly as it plans routes, so those options stay
_ROUTE_SEARCH_ONLY = tuple(f"PatrolParams.{name}" for name in (
    "seed", "max_iterations", "time_limit_s", "estimate_officers_needed", "station_snap_max_m",
    "connect_buffer_m", "bridge_gaps_m"))
plan_file_option = click.option(
    "--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
    required=True, help=f"A {UNITS_FILE} written by 'grids redesign' (or 'grids move').")


@click.group()
def grids() -> None:
    """Responsibility grids (责任网格): redesign, hand edits, week rosters."""


# ---- printing --------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


_MEASURES = (  # label, summary key, format
    ("grids", "grids", str),
    ("workload max/min", "max_min_ratio", lambda v: f"{v:.2f}"),
    ("max deviation from mean", "max_dev_from_mean", _pct),
    ("workload min h/week", "workload_min_h", lambda v: f"{v:.1f}"),
    ("workload max h/week", "workload_max_h", lambda v: f"{v:.1f}"),
    ("Polsby–Popper mean", "polsby_popper_mean", lambda v: f"{v:.3f}"),
    ("Polsby–Popper min", "polsby_popper_min", lambda v: f"{v:.3f}"),
    ("staff needed (officers)", "staff_needed", str),
    ("officers on grids", "officers", str),
    ("incidents in uncovered hours", "incidents_uncovered_share", _pct),
    ("boundary length km", "boundary_length_m", lambda v: f"{v / 1000:.2f}"),
    ("island units", "island_units", str),
)


def comparison_rows(summary: dict) -> list[tuple[str, str]]:
    """Today vs proposal, one line per measure (proposal only without a current layout)."""
    a, b = summary.get("current"), summary["proposed"]
    rows = [("measure", f"{'current':>14}  {'proposed':>14}" if a else "proposed")]
    for label, key, fmt in _MEASURES:
        rows.append((label, f"{fmt(a[key]):>14}  {fmt(b[key]):>14}" if a else fmt(b[key])))
    if a:
        changed = len(summary["units_changed_grid"])
        rows.append(("units that changed grid", f"{'':>14}  {changed:>7} of {b['units']}"))
    return rows


def echo_redesign(result, *, notes, paths: dict[str, Path]) -> None:
    s = result.summary()
    b = s["proposed"]
    echo_table(f"Grid redesign ({'; '.join(notes) or 'your files'}; seed {result.seed})",
               comparison_rows(s))
    click.echo()
    roster = ("meets every target (5+2, 白+黑)" if b["roster_meets_targets"]
              else f"{b['roster_shortfalls']} short shifts — see blind_spots.json")
    per_grid = [(f"grid {g.grid}", f"{g.workload_h_week:.1f} h/week → {g.allocated} officers, AB "
                 + ("+".join(map(str, result.proposed.ab.partners(g.grid))) or "none (island)"))
                for g in sorted(result.proposed.staffing.grids, key=lambda g: str(g.grid))]
    echo_table("Staffing (proposed)", [
        ("headcount", f"{b['headcount']} enforcement officers"),
        ("on grids", f"{b['officers']} (need {b['staff_needed']}), reserve 机动 {b['reserve']}"),
        ("roster", roster), *per_grid, *(("over max", w) for w in b["over_max"])])
    click.echo()
    click.echo("Blind spots (proposed roster; share of each class's incidents):")
    for text in b["blind_spots"] or ["none: some officer is on duty in every hour"]:
        click.echo(f"  {text}")
    for problem in s["problems"]:
        click.echo(f"warning: {problem}", err=True)
    if paths:
        click.echo("\nWrote:")
    for path in paths.values():
        click.echo(f"  {path}")


# ---- commands --------------------------------------------------------------------------------
@grids.command("redesign")
@library_errors_in_option_words
@network_option(help="None: the bundled sample.")
@jurisdictions_option(help="Needed with --network.")
@click.option("--jurisdiction", "codes", multiple=True,
              help="Plan only these jurisdiction codes (default: the parents of the current "
                   "grids, else all).")
@grids_option(named=("--current", "current_file"), help="Today's layout.")
@incidents_option(help="Adds incident workload and blind spots.")
@incident_options
@headcount_option
@click.option("--each-district", is_flag=True,
              help="Redesign each jurisdiction on its own (its own grid count and officers), "
                   "on the engine; files under OUT/<code>/.")
@params_options(GridSizingParams, StaffingParams, ShiftPlanParams, PartitionParams, PatrolParams,
                exclude=_ROUTE_SEARCH_ONLY,
                aliases={"n_grids": ("--grids",), "unit_kind": ("--units",),
                         "target_workload_h": ("--target-workload",), **_STAFFING_ALIASES})
@out_option
@engine_options
@json_option
def redesign_cmd(network_file, jurisdictions_file, codes, current_file, incidents_file,
                 headcount, each_district, params, out, scheduler, workers, as_json,
                 incident_options: dict) -> None:
    """Redraw the grids: balanced, contiguous, nested, coded; staffed, rostered, compared."""
    from geodata.grid_plans import load_redesign_inputs, write_redesign
    from gridplan.grids.jobs import redesign_grids

    if each_district and headcount is not None:
        raise click.UsageError("--each-district keeps each district's own officers: drop "
                               "--headcount (or redesign one district)")
    inputs = load_redesign_inputs(network_file=network_file,
                                  jurisdictions_file=jurisdictions_file, codes=codes,
                                  current_file=current_file, incidents_file=incidents_file,
                                  incident_options=incident_options)
    sets = {"sizing": params[GridSizingParams], "staffing": params[StaffingParams],
            "roster": params[ShiftPlanParams], "partition": params[PartitionParams],
            "patrol": params[PatrolParams], "tz": incident_options["tz"]}
    if each_district:
        _redesign_each(inputs, sets, Path(out), scheduler, workers, as_json)
        return
    result = redesign_grids(inputs.network, inputs.jurisdictions, current=inputs.current,
                            incidents=inputs.incidents, headcount=headcount, **sets)
    paths = write_redesign(result, out, notes=inputs.notes)
    echo_option_warnings(inputs.warnings + result.warnings)
    if as_json:
        echo_json({"notes": list(inputs.notes), **result.summary(),
                   "files": {k: str(v) for k, v in paths.items()}})
    else:
        echo_redesign(result, notes=inputs.notes, paths=paths)


def _redesign_each(inputs, sets: dict, out: Path, scheduler, workers, as_json) -> None:
    """One redesign per district on the engine, each written under ``out/<code>``."""
    from api.engine.redesign import redesign_districts_on
    from geodata.grid_plans import write_redesign

    with batch_engine(scheduler, workers) as client:
        results = redesign_districts_on(client, inputs.network, inputs.jurisdictions,
                                        current=inputs.current, incidents=inputs.incidents,
                                        **sets)
    paths = {code: write_redesign(r, out / code, notes=inputs.notes)
             for code, r in results.items()}
    echo_option_warnings(inputs.warnings + tuple(w for r in results.values() for w in r.warnings))
    if as_json:
        echo_json({"notes": list(inputs.notes), "districts": {
            code: {**r.summary(), "files": {k: str(v) for k, v in paths[code].items()}}
            for code, r in results.items()}})
        return
    for code, result in results.items():
        click.echo(f"== district {code} ==")
        echo_redesign(result, notes=inputs.notes, paths=paths[code])
        click.echo()


@grids.command("move")
@library_errors_in_option_words
@plan_file_option
@click.option("--units", "unit_ids", required=True, help="Unit ids, comma-separated.")
@click.option("--to", "to_code", required=True, help="Code of the grid receiving them.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the edited plan (default: replace --plan).")
@json_option
def move_cmd(plan_file: Path, unit_ids: str, to_code: str, out: Path | None, as_json) -> None:
    """Move units to another grid; refused (with every reason) if a grid would split, leave
    its jurisdiction or empty."""
    from geodata.grid_plans import read_plan, write_plan
    from gridplan.grids.jobs import move_grid_units

    edit = move_grid_units(read_plan(plan_file), unit_ids.split(","), to_code)
    target = write_plan(edit.after, out or plan_file)
    data = {**edit.to_dict(), "file": str(target)}
    if as_json:
        echo_json(data)
        return
    echo_table(f"Moved {len(edit.unit_ids)} unit(s) to {to_code}", [
        *((c, f"{v['before']:.1f} → {v['after']:.1f} h/week")
          for c, v in data["workload_h"].items()),
        ("workload max/min", f"{data['summary']['max_min_ratio']:.2f}"),
        ("written", str(target))])


@grids.command("roster")
@library_errors_in_option_words
@plan_file_option
@headcount_option
@staffing_options
@click.option("--coverage", "coverage_files", type=click.Path(exists=True, path_type=Path),
              multiple=True,
              help="Recent coverage (coverage.json of gridplan tracks coverage --out; repeat "
                   "for several grids): the streets and key points its tracks never reached, "
                   "set against the roster.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write roster.csv here.")
@json_option
def roster_cmd(plan_file: Path, headcount, params, coverage_files, out, as_json) -> None:
    """Officers per grid from workload and a week roster (5+2, 白+黑) for a plan."""
    from geodata.grid_plans import read_plan, write_roster
    from geodata.tracks import read_coverage
    from gridplan.grids.jobs import roster_plan
    from gridplan.grids.tables import roster_frame, shortfall_lines

    staffed = roster_plan(read_plan(plan_file), headcount=headcount,
                          staffing=params[StaffingParams], roster=params[ShiftPlanParams],
                          coverage=[read_coverage(f) for f in coverage_files] or None)
    observed = staffed.observed
    if out is not None:
        write_roster(staffed, Path(out) / "roster.csv")
    short = shortfall_lines(staffed)
    if as_json:
        echo_json({"officers": dict(staffed.officers),
                   "reserve": staffed.headcount - sum(staffed.officers.values()),
                   "shortfalls": short,
                   "roster": roster_frame(staffed).to_dict(orient="records"),
                   "observed_blind_spots": observed.to_dict() if observed else None})
        return
    for key in staffed.roster.officers_by_grid:
        click.echo(f"{key} ({staffed.officers[key]} officers)")
        click.echo(staffed.roster.table(key).to_string())
    click.echo("meets every target" if not short else "short: " + "; ".join(short))
    if observed is not None:
        click.echo("Blind spots the tracks show (盲区), against the roster:")
        for line in observed.lines() or ["none: every street and key point was reached"]:
            click.echo(f"  {line}")
        for grid in observed.calendar["grid"].unique():
            click.echo(f"{grid}: street-km not reached in each shift's hours")
            click.echo(observed.calendar_table(grid).to_string())
