"""``gridplan grids …``: redraw responsibility grids, edit a plan by hand, print rosters.

``redesign`` with no input files runs on the bundled central-Shanghai sample: its current layout
is ILLUSTRATIVE and its incidents are SYNTHETIC (both say so in every output). Files written
(atomically) under ``--out``:

* ``grids_proposed.geojson`` / ``grids_current.geojson`` — one feature per grid (WGS-84): code,
  name, parent_code, workload_h, enforcement + other staff, station_lon/lat, illustrative;
  both drawn as the union of their planning units so they compare like for like;
* ``staffing.csv`` (per proposed grid), ``roster.csv`` (officer × day), ``blind_spots.json``;
* ``plan_units.geojson`` — every unit with its grid code (the input of ``grids move`` and
  ``grids roster``);
* ``redesign.json`` — the same report ``--json`` prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import geopandas as gpd
import pandas as pd

from api.cli.common import echo_json, echo_table, echo_warnings, incident_options, json_option
from geodata import sample
from geodata.files import atomic_path, write_text
from geodata.grids import load_grids
from geodata.incidents import load_incidents
from geodata.jurisdictions import load_jurisdictions
from geodata.osm import load_network
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.adjacency import unit_adjacency
from gridplan.grids.edit import move_units
from gridplan.grids.partition import GridPlan
from gridplan.grids.roster import DAY_NAMES_ZH, RosterParams, ShiftType
from gridplan.grids.staffing import StaffingParams
from gridplan.grids.workflow import (
    OTHER_ROLES,
    CurrentLayout,
    Redesign,
    StaffedPlan,
    current_layout,
    planning_units,
    redesign,
    staff_plan,
)

WGS84 = "EPSG:4326"
UNITS_FILE = "plan_units.geojson"


@click.group()
def grids() -> None:
    """Responsibility grids (责任网格): redesign, hand edits, week rosters."""


# ---- options ---------------------------------------------------------------------------------


def parse_shifts(text: str) -> tuple[ShiftType, ...]:
    """'day:08-16,night:18-02' → shift types (an end before the start passes midnight)."""
    shifts, bad = [], []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            name, span = part.split(":")
            start, end = (int(h) for h in span.split("-"))
            shifts.append(ShiftType(name.strip(), start, (end - start) % 24 or 24))
        except ValueError:
            bad.append(part)
    if bad or not shifts:
        raise InvalidInputError(
            "cannot read --shifts",
            [
                Problem(
                    "--shifts",
                    "",
                    "name:HH-HH pairs separated by commas, e.g. day:08-16,night:18-02",
                    ", ".join(bad) or repr(text),
                    "write each shift as name:start-end (local hours)",
                )
            ],
        )
    return tuple(shifts)


def roster_params(shifts: str, weekday_target: int, weekend_target: int) -> RosterParams:
    types = parse_shifts(shifts)
    return RosterParams(
        shifts=types,
        weekday_targets={s.name: weekday_target for s in types},
        weekend_targets={s.name: weekend_target for s in types},
    )


def _staffing_options(f):
    for opt in reversed(
        [
            click.option(
                "--min-officers",
                type=int,
                default=3,
                show_default=True,
                help="Enforcement officers per grid, at least.",
            ),
            click.option(
                "--max-officers",
                type=int,
                default=5,
                show_default=True,
                help="Enforcement officers per grid, at most.",
            ),
            click.option(
                "--shifts",
                default="day:08-16,night:18-02",
                show_default=True,
                help="Daily shifts, local hours (白+黑: a day and a night shift).",
            ),
            click.option(
                "--weekday-target",
                type=int,
                default=1,
                show_default=True,
                help="Officers on duty per shift and grid, Monday–Friday.",
            ),
            click.option(
                "--weekend-target",
                type=int,
                default=1,
                show_default=True,
                help="Officers on duty per shift and grid, weekends (5+2).",
            ),
        ]
    ):
        f = opt(f)
    return f


# ---- inputs ----------------------------------------------------------------------------------


def load_inputs(
    *,
    osm: Path | None,
    jurisdictions_file: Path | None,
    codes: tuple[str, ...],
    current_file: Path | None,
    incidents_file: Path | None,
    incident_options: dict[str, Any],
) -> dict[str, Any]:
    """Network, jurisdictions, today's layout and incidents; the sample fills what is missing
    when no OSM file is given. Notes say what is illustrative or synthetic."""
    notes: list[str] = []
    if osm is None:
        net = sample.network("walk")
        notes.append("bundled central-Shanghai sample (© OpenStreetMap contributors)")
    else:
        net = load_network(osm, mode="walk")
    if jurisdictions_file is not None:
        loaded = load_jurisdictions(jurisdictions_file)
        echo_warnings(loaded.warnings)  # repaired polygons are said, as `gridplan hotspots` does
        jur = loaded.frame
    elif osm is None:
        jur = sample.jurisdictions()
    else:
        raise InvalidInputError(
            "which jurisdictions?",
            [
                Problem(
                    "--jurisdictions",
                    "",
                    "a polygon file of the districts, towns or communities",
                    "none",
                    "pass --jurisdictions FILE with --network",
                )
            ],
        )
    current = None
    if current_file is not None:
        current = load_grids(current_file, jurisdictions=jur)
        echo_warnings(current.warnings)
        current = current.frame
    elif osm is None:
        current = sample.grids()
    if current is not None and "illustrative" in current and current["illustrative"].all():
        notes.append("illustrative current layout")
    if incidents_file is not None:
        incidents = load_incidents(incidents_file, **incident_options)
        echo_warnings(incidents.warnings)
        incidents = incidents.frame
    elif osm is None:
        incidents = sample.incidents(net=net)
        notes.append("synthetic incidents")
    else:
        incidents = None
    return {
        "network": net,
        "jurisdictions": _select(jur, codes, current),
        "current": current,
        "incidents": incidents,
        "notes": notes,
    }


def _select(
    jur: gpd.GeoDataFrame, codes: tuple[str, ...], current: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """``--jurisdiction`` codes, else the parents of today's grids, else every jurisdiction."""
    known = jur["code"].astype(str)
    if codes:
        missing = sorted(set(codes) - set(known))
        if missing:
            raise InvalidInputError(
                "unknown --jurisdiction codes",
                [
                    Problem(
                        "--jurisdiction",
                        c,
                        f"one of {sorted(known)[:20]}",
                        "no such code",
                        "check the codes in the jurisdictions file",
                    )
                    for c in missing
                ],
            )
        return jur[known.isin(codes)].reset_index(drop=True)
    if current is not None and known.isin(current["parent_code"].astype(str)).any():
        return jur[known.isin(current["parent_code"].astype(str))].reset_index(drop=True)
    return jur


def _stations_xy(current: gpd.GeoDataFrame, crs: Any) -> dict[str, tuple[float, float]]:
    if not {"station_lon", "station_lat"} <= set(current.columns):
        return {}
    ok = current["station_lon"].notna() & current["station_lat"].notna()
    pts = gpd.GeoSeries(
        gpd.points_from_xy(current.loc[ok, "station_lon"], current.loc[ok, "station_lat"]),
        crs=WGS84,
    ).to_crs(crs)
    return {str(c): (p.x, p.y) for c, p in zip(current.loc[ok, "code"], pts, strict=True)}


# ---- outputs ---------------------------------------------------------------------------------


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        frame.to_crs(WGS84).to_file(tmp, driver="GeoJSON")
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")  # BOM: Excel reads the Chinese
    return path


def _lonlat(xy: tuple[float, float] | None, crs: Any) -> tuple[float | None, float | None]:
    if xy is None:
        return None, None
    p = gpd.GeoSeries(gpd.points_from_xy([xy[0]], [xy[1]]), crs=crs).to_crs(WGS84).iloc[0]
    return round(p.x, 6), round(p.y, 6)


def grids_frame(
    staffed: StaffedPlan, *, names: dict[str, str], other: pd.DataFrame, illustrative: bool
) -> gpd.GeoDataFrame:
    """One row per grid with the properties of the GeoJSON outputs (metric CRS)."""
    plan, crs = staffed.plan, staffed.plan.units.crs
    rows = []
    for g, row in sorted(plan.grids.iterrows(), key=lambda gr: staffed.keys[int(gr[0])]):
        key = staffed.keys[int(g)]
        lon, lat = _lonlat(staffed.station_xy(key), crs)
        rows.append(
            {
                "code": None if key not in plan.codes.values() else key,
                "name": names.get(key, key),
                "parent_code": str(row["jurisdiction"]),
                "workload_h": round(float(row["workload_h"]), 2),
                "n_units": int(row["n_units"]),
                "area_m2": round(float(row["area_m2"]), 1),
                "polsby_popper": round(float(row["polsby_popper"]), 4),
                "enforcement": int(staffed.officers.get(key, 0)),
                **{r: int(other.at[key, r]) if key in other.index else 0 for r in OTHER_ROLES},
                "station_lon": lon,
                "station_lat": lat,
                "ab_partners": ",".join(map(str, staffed.ab.partners(key))),
                "illustrative": illustrative,
                "geometry": row.geometry,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def staffing_frame(result: Redesign, frame: gpd.GeoDataFrame) -> pd.DataFrame:
    needs = {str(g.grid): g for g in result.proposed.staffing.grids}
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out.insert(4, "demand_officers", [round(needs[c].demand_officers, 2) for c in out["code"]])
    out.insert(5, "needed", [needs[c].needed for c in out["code"]])
    return out


def roster_frame(staffed: StaffedPlan) -> pd.DataFrame:
    tables = []
    for key in staffed.roster.officers_by_grid:
        t = staffed.roster.table(key)
        tables.append(t.rename_axis("officer").reset_index().assign(grid=key))
    if not tables:
        return pd.DataFrame(columns=["grid", "officer", *DAY_NAMES_ZH])
    return pd.concat(tables)[["grid", "officer", *DAY_NAMES_ZH]]


def blind_spot_data(staffed: StaffedPlan) -> dict[str, Any]:
    r = staffed.blind_spots
    return {
        "incidents_uncovered_share": round(staffed.uncovered_share, 4),
        "uncovered_share_by_class": {k: round(v, 4) for k, v in r.uncovered_share_by_class.items()},
        "total_by_class": dict(r.total_by_class),
        "skipped_incidents": r.skipped_incidents,
        "lines": r.lines(top=20),
        "groups": [
            {
                "label": g.label,
                "grids": sorted({str(w.grid) for w in g.windows}),
                "incidents_by_class": dict(g.incidents_by_class),
                "share_by_class": {k: round(v, 4) for k, v in g.share_by_class.items()},
            }
            for g in r.groups
        ],
        "shortfalls": [
            {
                "grid": str(s.grid),
                "day": DAY_NAMES_ZH[s.day],
                "shift": s.shift,
                "on_duty": s.on_duty,
                "target": s.target,
            }
            for s in staffed.roster.shortfalls()
        ],
    }


def units_frame(plan: GridPlan, keys: dict[int, str]) -> gpd.GeoDataFrame:
    cols = [c for c in ("jurisdiction", "workload_h", "area_m2") if c in plan.units.columns]
    out = plan.units[cols + ["geometry"]].copy()
    out["grid"] = [keys[int(g)] for g in plan.units["grid"]]
    out["island"] = plan.units["island"].astype(bool)
    out["metric_crs"] = plan.units.crs.to_string()
    return out.rename_axis("unit_id").reset_index()


def write_redesign(result: Redesign, out: Path, *, notes: list[str]) -> dict[str, Path]:
    """Every redesign file under ``out`` (atomic writes); returns them by kind."""
    names = {}
    illustrative_today = False
    if result.current_layout is not None:
        names = result.current_layout.staff["name"].astype(str).to_dict()
        illustrative_today = "illustrative current layout" in notes
    proposed = grids_frame(result.proposed, names={}, other=result.other_staff, illustrative=False)
    paths = {"proposed": _write_geojson(proposed, out / "grids_proposed.geojson")}
    if result.current is not None and result.current_layout is not None:
        other = result.current_layout.staff[list(OTHER_ROLES)]
        today = grids_frame(
            result.current, names=names, other=other, illustrative=illustrative_today
        )
        paths["current"] = _write_geojson(today, out / "grids_current.geojson")
    paths["staffing"] = _write_csv(staffing_frame(result, proposed), out / "staffing.csv")
    paths["roster"] = _write_csv(roster_frame(result.proposed), out / "roster.csv")
    spots = {"notes": notes, "proposed": blind_spot_data(result.proposed)}
    if result.current is not None:
        spots["current"] = blind_spot_data(result.current)
    paths["blind_spots"] = write_text(
        out / "blind_spots.json", json.dumps(spots, ensure_ascii=False, indent=2)
    )
    units = units_frame(result.proposed.plan, dict(result.proposed.keys))
    paths["units"] = _write_geojson(units, out / UNITS_FILE)
    report = {"notes": notes, **result.summary()}
    paths["report"] = write_text(
        out / "redesign.json", json.dumps(report, ensure_ascii=False, indent=2, default=str)
    )
    return paths


# ---- printing --------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def comparison_rows(result: Redesign) -> list[tuple[str, str]]:
    """Today vs proposal, one line per measure (proposal only without a current layout)."""
    p = result.summary()
    a, b = p.get("current"), p["proposed"]

    def line(label: str, fmt, key: str) -> tuple[str, str]:
        left = f"{fmt(a[key]):>14}" if a else ""
        return label, f"{left}  {fmt(b[key]):>14}" if a else fmt(b[key])

    rows = [
        ("measure", f"{'current':>14}  {'proposed':>14}" if a else "proposed"),
        line("grids", str, "grids"),
        line("workload max/min", lambda v: f"{v:.2f}", "max_min_ratio"),
        line("max deviation from mean", _pct, "max_dev_from_mean"),
        line("workload min–max h/week", str, "workload_min_h"),
        line("Polsby–Popper mean", lambda v: f"{v:.3f}", "polsby_popper_mean"),
        line("Polsby–Popper min", lambda v: f"{v:.3f}", "polsby_popper_min"),
        line("staff needed (officers)", str, "staff_needed"),
        line("officers on grids", str, "officers"),
        line("incidents in uncovered hours", _pct, "incidents_uncovered_share"),
        line("boundary length km", lambda v: f"{v / 1000:.2f}", "boundary_length_m"),
        line("island units", str, "island_units"),
    ]
    rows[4] = line("workload min h/week", lambda v: f"{v:.1f}", "workload_min_h")
    rows.insert(5, line("workload max h/week", lambda v: f"{v:.1f}", "workload_max_h"))
    if a:
        changed = len(p["units_changed_grid"])
        rows.append(("units that changed grid", f"{'':>14}  {changed:>7} of {b['units']}"))
    return rows


def echo_redesign(result: Redesign, *, notes: list[str], paths: dict[str, Path]) -> None:
    s = result.summary()
    b = s["proposed"]
    echo_table(
        f"Grid redesign ({'; '.join(notes) or 'your files'}; seed {result.seed})",
        comparison_rows(result),
    )
    click.echo()
    echo_table(
        "Staffing (proposed)",
        [
            ("headcount", f"{b['headcount']} enforcement officers"),
            (
                "on grids",
                f"{b['officers']} (need {b['staff_needed']}), reserve 机动 {b['reserve']}",
            ),
            (
                "roster",
                "meets every target (5+2, 白+黑)"
                if b["roster_meets_targets"]
                else f"{b['roster_shortfalls']} short shifts — see blind_spots.json",
            ),
            *(
                (
                    f"grid {g.grid}",
                    f"{g.workload_h_week:.1f} h/week → {g.allocated} officers, AB "
                    + ("+".join(map(str, result.proposed.ab.partners(g.grid))) or "none (island)"),
                )
                for g in sorted(result.proposed.staffing.grids, key=lambda g: str(g.grid))
            ),
            *(("over max", w) for w in b["over_max"]),
        ],
    )
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
@click.option(
    "--network",
    "osm",
    type=click.Path(path_type=Path),
    help="OSM file (.osm/.pbf) of the area; none: the bundled sample.",
)
@click.option(
    "--jurisdictions",
    "jurisdictions_file",
    type=click.Path(path_type=Path),
    help="Jurisdiction polygons (GeoJSON/GPKG, code column); needed with --network.",
)
@click.option(
    "--jurisdiction",
    "codes",
    multiple=True,
    help="Plan only these jurisdiction codes (default: the parents of the current "
    "grids, else all).",
)
@click.option(
    "--current",
    "current_file",
    type=click.Path(path_type=Path),
    help="Today's grid layout (GeoJSON/GPKG with code, parent_code, staff counts).",
)
@click.option(
    "--incidents",
    "incidents_file",
    type=click.Path(path_type=Path),
    help="Incident export (CSV/GeoJSON) for workload and blind spots.",
)
@incident_options
@click.option("--grids", "n_grids", type=int, help="Number of grids (default: as many as today).")
@click.option(
    "--target-workload", type=float, help="Officer-hours per week per grid instead of --grids."
)
@click.option(
    "--units",
    "unit_kind",
    type=click.Choice(["blocks", "cells"]),
    default="blocks",
    show_default=True,
    help="Street blocks, or 100 m unit cells (万米单元网格).",
)
@click.option(
    "--split-above-m2",
    type=float,
    help="Cut blocks larger than this into cells (default: keep whole blocks).",
)
@click.option(
    "--headcount", type=int, help="Enforcement officers to share (default: today's total)."
)
@_staffing_options
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same plan.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@json_option
def redesign_cmd(
    osm,
    jurisdictions_file,
    codes,
    current_file,
    incidents_file,
    n_grids,
    target_workload,
    unit_kind,
    split_above_m2,
    headcount,
    min_officers,
    max_officers,
    shifts,
    weekday_target,
    weekend_target,
    seed,
    out,
    as_json,
    incident_options: dict,
) -> None:
    """Redraw the grids: balanced, contiguous, nested, coded; staffed, rostered, compared."""
    if n_grids is not None and target_workload is not None:
        raise InvalidInputError(
            "choose one grid count",
            [Problem("--grids / --target-workload", "", "one of them", "both", "drop one")],
        )
    staffing = StaffingParams(
        min_officers_per_grid=min_officers, max_officers_per_grid=max_officers
    )
    roster = roster_params(shifts, weekday_target, weekend_target)
    inputs = load_inputs(
        osm=osm,
        jurisdictions_file=jurisdictions_file,
        codes=codes,
        current_file=current_file,
        incidents_file=incidents_file,
        incident_options=incident_options,
    )
    result = run_redesign(
        inputs,
        n_grids=n_grids,
        target_workload_h=target_workload,
        unit_kind=unit_kind,
        split_above_m2=split_above_m2,
        headcount=headcount,
        seed=seed,
        staffing=staffing,
        roster=roster,
        tz=incident_options["tz"],
    )
    paths = write_redesign(result, out, notes=inputs["notes"])
    if as_json:
        echo_json(
            {
                "notes": inputs["notes"],
                **result.summary(),
                "files": {k: str(v) for k, v in paths.items()},
            }
        )
    else:
        echo_redesign(result, notes=inputs["notes"], paths=paths)


def run_redesign(
    inputs: dict[str, Any],
    *,
    n_grids: int | None = None,
    target_workload_h: float | None = None,
    unit_kind: str = "blocks",
    split_above_m2: float | None = None,
    headcount: int | None = None,
    seed: int = 0,
    staffing: StaffingParams | None = None,
    roster: RosterParams | None = None,
    tz: str = "Asia/Shanghai",
) -> Redesign:
    """Units, today's layout and the redesign from loaded inputs (see :func:`load_inputs`)."""
    net = inputs["network"]
    units = planning_units(
        net,
        inputs["jurisdictions"],
        kind=unit_kind,  # type: ignore[arg-type]
        split_above_m2=split_above_m2,
        incidents=inputs["incidents"],
    )
    today: CurrentLayout | None = None
    if inputs["current"] is not None:
        today = current_layout(
            units.units,
            units.adjacency,
            inputs["current"],
            stations_xy_m=_stations_xy(inputs["current"], net.crs),
        )
        echo_warnings(today.warnings)
    return redesign(
        units.units,
        units.adjacency,
        n_grids=n_grids,
        target_workload_h=target_workload_h,
        current=today,
        headcount=headcount,
        network=net,
        incidents=inputs["incidents"],
        seed=seed,
        staffing_params=staffing,
        roster_params=roster,
        tz=tz,
    )


def read_plan(path: Path) -> GridPlan:
    """A plan from a ``plan_units.geojson`` written by ``grids redesign`` (or ``move``)."""
    from geodata.tables import VECTOR_SUFFIXES, read_vector, require_file

    frame = read_vector(require_file(path, kinds=VECTOR_SUFFIXES, what="plan units file"))
    need = {"unit_id", "jurisdiction", "workload_h", "grid", "metric_crs"}
    if not need <= set(frame.columns):
        raise InvalidInputError(
            f"{path} is not a plan units file",
            [
                Problem(
                    str(path),
                    "columns",
                    ", ".join(sorted(need)),
                    ", ".join(frame.columns),
                    f"use the {UNITS_FILE} that 'gridplan grids redesign' writes",
                )
            ],
        )
    units = frame.to_crs(str(frame["metric_crs"].iloc[0])).set_index("unit_id")
    units["jurisdiction"] = units["jurisdiction"].astype(str)
    units["perimeter_m"] = units.geometry.length
    units["area_m2"] = units.geometry.area
    codes = sorted(units["grid"].astype(str).unique())
    number = {c: i for i, c in enumerate(codes)}
    plan = GridPlan.from_assignment(
        units.drop(columns=["grid"]),
        unit_adjacency(units),
        units["grid"].astype(str).map(number),
        codes={i: c for c, i in number.items()},
    )
    return plan


def write_plan(plan: GridPlan, path: Path) -> Path:
    return _write_geojson(units_frame(plan, dict(plan.codes)), path)


@grids.command("move")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    required=True,
    help=f"A {UNITS_FILE} written by 'grids redesign'.",
)
@click.option("--units", "unit_ids", required=True, help="Unit ids, comma-separated.")
@click.option("--to", "to_code", required=True, help="Code of the grid receiving them.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where to write the edited plan (default: replace --plan).",
)
@json_option
def move_cmd(plan_file: Path, unit_ids: str, to_code: str, out: Path | None, as_json) -> None:
    """Move units to another grid; refused (with every reason) if a grid would split, leave
    its jurisdiction or empty."""
    plan = read_plan(plan_file)
    ids = [u.strip() for u in unit_ids.split(",") if u.strip()]
    moved = move_units(plan, ids, to_code)
    target = write_plan(moved, out or plan_file)
    touched = sorted({plan.codes[int(plan.units.at[u, "grid"])] for u in ids} | {to_code})
    before = plan.grids.set_index("code")["workload_h"]
    after = moved.grids.set_index("code")["workload_h"]
    data = {
        "moved": ids,
        "to": to_code,
        "file": str(target),
        "workload_h": {
            c: {"before": round(float(before[c]), 2), "after": round(float(after[c]), 2)}
            for c in touched
        },
        "summary": moved.summary(),
    }
    if as_json:
        echo_json(data)
        return
    echo_table(
        f"Moved {len(ids)} unit(s) to {to_code}",
        [
            *(
                (c, f"{v['before']:.1f} → {v['after']:.1f} h/week")
                for c, v in data["workload_h"].items()
            ),
            ("workload max/min", f"{moved.summary()['max_min_ratio']:.2f}"),
            ("written", str(target)),
        ],
    )


@grids.command("roster")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    required=True,
    help=f"A {UNITS_FILE} written by 'grids redesign' or 'grids move'.",
)
@click.option("--headcount", type=int, help="Officers to share (default: every grid's need).")
@_staffing_options
@click.option("--out", type=click.Path(path_type=Path), help="Write roster.csv here.")
@json_option
def roster_cmd(
    plan_file: Path,
    headcount,
    min_officers,
    max_officers,
    shifts,
    weekday_target,
    weekend_target,
    out,
    as_json,
) -> None:
    """Officers per grid from workload and a week roster (5+2, 白+黑) for a plan."""
    plan = read_plan(plan_file)
    staffed = staff_plan(
        plan,
        dict(plan.codes),
        headcount=headcount,
        staffing_params=StaffingParams(
            min_officers_per_grid=min_officers, max_officers_per_grid=max_officers
        ),
        roster_params=roster_params(shifts, weekday_target, weekend_target),
    )
    frame = roster_frame(staffed)
    if out is not None:
        _write_csv(frame, Path(out) / "roster.csv")
    short = [
        f"{s.grid} {DAY_NAMES_ZH[s.day]} {s.shift} {s.on_duty}/{s.target}"
        for s in staffed.roster.shortfalls()
    ]
    if as_json:
        echo_json(
            {
                "officers": dict(staffed.officers),
                "reserve": staffed.headcount - sum(staffed.officers.values()),
                "shortfalls": short,
                "roster": frame.to_dict(orient="records"),
            }
        )
        return
    for key in staffed.roster.officers_by_grid:
        click.echo(f"{key} ({staffed.officers[key]} officers)")
        click.echo(staffed.roster.table(key).to_string())
    click.echo("meets every target" if not short else "short: " + "; ".join(short))
