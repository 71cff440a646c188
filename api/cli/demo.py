"""``gridplan demo``: the main job on the bundled central-Shanghai sample, offline.

Each step prints what a user would want to see and writes its files under ``--out``; steps are
small functions so each part of the product adds its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import geopandas as gpd

from api.cli.common import echo_table
from geodata import sample
from geodata.coords import from_wgs84
from geodata.files import atomic_path, write_text
from geodata.incidents import incidents_summary
from geodata.osm import network_summary
from gridplan.jurisdictions import shared_boundaries
from gridplan.network import StreetNetwork


@dataclass
class DemoContext:
    out: Path
    seed: int
    network: StreetNetwork
    jurisdictions: gpd.GeoDataFrame  # WGS-84
    grids: gpd.GeoDataFrame  # WGS-84
    incidents: gpd.GeoDataFrame  # WGS-84, synthetic
    summary: dict = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    results: dict[str, object] = field(default_factory=dict)  # later steps reuse earlier ones

    @property
    def crs(self) -> str:
        return str(self.network.crs)

    def wrote(self, path: Path) -> Path:
        self.written.append(path)
        return path


def step_network(ctx: DemoContext) -> None:
    info = network_summary(ctx.network)
    ctx.summary["network"] = info
    echo_table(
        "Streets (walk mode, © OpenStreetMap contributors)",
        [
            ("nodes / edges", f"{info['nodes']:,} / {info['edges']:,}"),
            *((f"grade {g}", f"{km:.1f} km") for g, km in info["street_km_by_grade"].items()),
            ("total", f"{info['street_km_total']:.1f} km"),
            ("CRS", info["crs_name"]),
        ],
    )


def step_jurisdictions(ctx: DemoContext) -> None:
    metric = ctx.jurisdictions.to_crs(ctx.crs)
    shared = shared_boundaries(metric)
    ctx.summary["jurisdictions"] = {
        "districts": [f"{r.code} {r['name']}" for _, r in ctx.jurisdictions.iterrows()],
        "shared_boundaries": [
            {"a": r.code_a, "b": r.code_b, "length_m": round(r.length_m, 1)}
            for _, r in shared.iterrows()
        ],
    }
    echo_table(
        "Jurisdictions",
        [
            *(
                (r.code, f"{r['name']}  {metric.geometry[i].area / 1e6:.2f} km²")
                for i, r in ctx.jurisdictions.iterrows()
            ),
            *(
                (f"{r.name_a}|{r.name_b}", f"shared boundary {r.length_m / 1000:.2f} km")
                for _, r in shared.iterrows()
            ),
        ],
    )


def step_grids(ctx: DemoContext) -> None:
    g = ctx.grids
    staff = {r: int(g[r].sum()) for r in ("enforcement", "sanitation", "municipal", "greening")}
    ctx.summary["grids"] = {
        "count": len(g),
        "illustrative": bool(g["illustrative"].all()),
        "staff": staff,
    }
    echo_table(
        f"Current grids (ILLUSTRATIVE layout): {len(g)}",
        [
            *(
                (r.code, f"{r['name']}  officers {r.enforcement}, sanitation {r.sanitation}")
                for _, r in g.iterrows()
            ),
            ("staff total", ", ".join(f"{k} {v}" for k, v in staff.items())),
        ],
    )


def step_incidents(ctx: DemoContext) -> None:
    info = incidents_summary(ctx.incidents)
    ctx.summary["incidents"] = info | {"note": "synthetic incidents"}
    frame = ctx.incidents.assign(
        lon=ctx.incidents.geometry.x.round(6), lat=ctx.incidents.geometry.y.round(6)
    )
    cols = ["id", "time", "category", "event_class", "lon", "lat"]
    with atomic_path(ctx.out / "incidents_synthetic_wgs84.csv") as tmp:
        frame[cols].to_csv(tmp, index=False)
    ctx.wrote(ctx.out / "incidents_synthetic_wgs84.csv")
    glon, glat = from_wgs84(frame["lon"].to_numpy(), frame["lat"].to_numpy(), coords="gcj02")
    with atomic_path(ctx.out / "incidents_synthetic_gcj02.csv") as tmp:
        frame.assign(lon=glon.round(6), lat=glat.round(6))[cols].to_csv(tmp, index=False)
    ctx.wrote(ctx.out / "incidents_synthetic_gcj02.csv")
    echo_table(
        f"Incidents (synthetic incidents, seed {ctx.seed}): {info['count']}",
        [
            ("span", f"{info['time_first'][:10]} … {info['time_last'][:10]}"),
            *((k, v) for k, v in info["by_class"].items()),
        ],
    )


def step_grids_redesign(ctx: DemoContext) -> None:
    """Redraw the grids, staff and roster them, compare with the illustrative layout; writes
    grids_current/proposed.geojson, staffing.csv, roster.csv, blind_spots.json."""
    from api.cli.grids import echo_redesign
    from geodata.grid_plans import ILLUSTRATIVE, write_redesign
    from gridplan.grids.jobs import redesign_grids
    from gridplan.grids.params import GridSizingParams

    notes = (ILLUSTRATIVE, "synthetic incidents")
    result = redesign_grids(ctx.network, ctx.jurisdictions, current=ctx.grids,
                            incidents=ctx.incidents, sizing=GridSizingParams(seed=ctx.seed))
    ctx.results["redesign"] = result
    paths = write_redesign(result, ctx.out, notes=notes)
    for path in paths.values():
        ctx.wrote(path)
    summary = result.summary()
    ctx.summary["redesign"] = {"note": "; ".join(notes), **{
        k: summary[k] for k in ("current", "proposed", "comparison")}}
    echo_redesign(result, notes=notes, paths={})


def step_hotspots(ctx: DemoContext) -> None:
    """Gi* hotspots, boundary hotspots and joint patrols; out/hotspots.json, joint_patrols.csv."""
    import pandas as pd

    from api.cli.hotspots import echo_boundary
    from geodata.synthetic import SYNTHETIC_NOTE
    from gridplan.hotspot_study import HotspotStudyParams, study_hotspots
    from gridplan.joint import JointParams

    study = study_hotspots(ctx.jurisdictions, ctx.incidents, network=ctx.network,
                           grids=ctx.grids, boundary=True, top=5,
                           params=HotspotStudyParams(joint=JointParams(seed=ctx.seed)))
    data = {"note": SYNTHETIC_NOTE,
            "inputs": {"network": str(sample.OSM_FILE), "grids": "illustrative sample grids",
                       "incidents": f"{SYNTHETIC_NOTE}, seed {ctx.seed}"},
            **study.to_dict()}
    ctx.results["hotspots"] = study
    part = data["boundary"]
    write_text(ctx.out / "hotspots.json", json.dumps(data, ensure_ascii=False, indent=2))
    ctx.wrote(ctx.out / "hotspots.json")
    rows = [row | {"meeting_lon": f["joint_patrol"]["meeting_point"]["lon"],
                   "meeting_lat": f["joint_patrol"]["meeting_point"]["lat"],
                   "note": "synthetic incidents"}
            for row, f in zip(part.get("meeting_list", []), part["flagged"], strict=True)]
    with atomic_path(ctx.out / "joint_patrols.csv") as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, encoding="utf-8-sig")  # BOM: Excel reads 中文
    ctx.wrote(ctx.out / "joint_patrols.csv")
    ctx.summary["hotspots"] = {
        "note": "synthetic incidents", "status": data["status"],
        "hotspots": data["hotspot_count"],
        "trends": {h["trend"]: sum(x["trend"] == h["trend"] for x in data["hotspots"])
                   for h in data["hotspots"]},
        "boundary_hotspots": part.get("flagged_total", 0),
        "blind_spot_km": (part.get("blind_spots") or {}).get("uncovered_km")}
    click.echo(f"Hotspots (synthetic incidents): {data['summary']}")
    echo_boundary(part, " — synthetic incidents")


def step_maps(ctx: DemoContext) -> None:
    from api.cli import demo_maps  # the maps step's own module (folium, matplotlib, Chromium)

    paths = demo_maps.write_maps(ctx)
    shots, note = demo_maps.screenshots(paths, ctx.out / "screens")
    for path in [*paths.values(), *shots]:
        ctx.wrote(path)
    info = ctx.summary["maps"]
    echo_table("Maps and files (boundary zone 50 m each side; synthetic incidents)", [
        ("boundary hotspots", str(info["boundary_hotspots"])),
        ("joint patrols", f"{info['joint_officers']} officers, {info['joint_km']} km"),
        ("squad route map", f"grid {info['squad_route_map']}" if info["squad_route_map"]
         else "— (no routes step)"),
        ("meeting sheet", f"{paths['sheet_pdf'].name} ({info['sheet_lang']})"),
        ("screenshots", note or f"{len(shots)} in {ctx.out / 'screens'}"),
    ])


def step_routes(ctx: DemoContext) -> None:
    """Every grid of the sample, day shift 08:00–12:00, its staffed officers (at most 3)."""
    import dataclasses
    import datetime as dt

    from geodata.grids import grids_to_model
    from gridplan.routing.params import PatrolParams
    from gridplan.routing.shifts import shift_on
    from gridplan.routing.workflow import plan_routes
    from maps.plan_files import write_plan_files

    params = PatrolParams(seed=ctx.seed, estimate_officers_needed=False)  # repeatable budget
    shift = shift_on(dt.date(2026, 11, 25), "08:00-12:00", name="day")
    # At most 3 officers a grid keeps the demo quick; the library plans each grid's staff.
    grids = [dataclasses.replace(g, staff=g.staff | {"enforcement": min(3, g.officers)})
             for g in grids_to_model(ctx.grids, metric_crs=ctx.crs)]
    routes = plan_routes(ctx.network, grids, shift=shift, incidents=ctx.incidents, params=params)
    by_code = {g.code: g for g in grids}
    rows, plans, results = [], [], {}
    for i, plan in enumerate(routes.plans):
        grid = by_code[plan.grid_code]
        for path in write_plan_files(plan, ctx.out / "routes", stem=routes.stem(plan),
                                     attribution=sample.ATTRIBUTION, network=ctx.network,
                                     grid=grid, html=i == 0):
            ctx.wrote(path)
        results[grid.code] = plan
        plans.append(plan.to_dict() | {"valid": plan.is_valid(ctx.network.graph)})
        rows.append((grid.code, f"{len(plan.routes)} officers, longest {plan.longest_min:.0f} "
                     f"min, LB {plan.lower_bound_min:.0f}, gap {plan.gap:.1%}, coverage "
                     f"{plan.coverage:.0%}, uncovered {len(plan.uncovered)}"))
    ctx.results["routes"] = results  # the maps step draws the first grid's plan
    ctx.summary["routes"] = [{k: p[k] for k in ("grid", "longest_min", "lower_bound_min", "gap",
                                                "coverage", "valid")} for p in plans]
    echo_table("Patrol routes, day shift 2026-11-25 08:00-12:00 (walk)", rows)


def step_tracks(ctx: DemoContext) -> None:
    from api.cli.tracks import demo_step

    demo_step(ctx)


STEPS: list[Callable[[DemoContext], None]] = [
    step_network,
    step_jurisdictions,
    step_grids,
    step_incidents,
    step_grids_redesign,
    step_hotspots,
    step_routes,
    step_maps,
    step_tracks,
]


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for every file the demo writes.",
)
@click.option(
    "--seed",
    type=int,
    default=sample.INCIDENT_SEED,
    show_default=True,
    help="Seed of the synthetic incidents and of every randomised planner.",
)
@click.option("--serve", is_flag=True, help="Then serve the web app on the sample with demo "
              "accounts (prints the URL and passwords).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port of --serve.")
def demo(out: Path, seed: int, serve: bool, port: int) -> None:
    """Run the main job on the bundled central-Shanghai sample, offline."""
    out.mkdir(parents=True, exist_ok=True)
    net = sample.network("walk")
    ctx = DemoContext(
        out=out,
        seed=seed,
        network=net,
        jurisdictions=sample.jurisdictions(),
        grids=sample.grids(),
        incidents=sample.incidents(seed=seed, net=net),
    )
    click.echo(f"gridplan demo — central Shanghai sample. {sample.ATTRIBUTION}.\n")
    for step in STEPS:
        step(ctx)
        click.echo()
    summary = ctx.wrote(
        write_text(
            out / "summary.json", json.dumps(ctx.summary, ensure_ascii=False, indent=2, default=str)
        )
    )
    click.echo("Wrote:")
    for path in [*ctx.written[:-1], summary]:
        click.echo(f"  {path}")
    if serve:
        from api.cli.web_demo import serve_demo

        serve_demo(out, host="127.0.0.1", port=port)
    else:
        click.echo(f"\nWeb app on this sample: make serve (or gridplan demo --serve), then open "
                   f"http://127.0.0.1:{port}/app")
