"""Files of the grid jobs: the inputs of a redesign, and the files a redesign or a hand edit
writes (GeoJSON / CSV / JSON under one folder, all or nothing).

:func:`load_redesign_inputs` reads the street network, jurisdictions, today's layout and
incidents; with no network file it runs on the bundled central-Shanghai sample, whose current
layout is ILLUSTRATIVE and incidents SYNTHETIC (``notes`` say so). Every loader warning comes back
in ``warnings``, so every door shows the same report for the same file.

Files written by :func:`write_redesign` under ``out``:

* ``grids_proposed.geojson`` / ``grids_current.geojson`` — one feature per grid (WGS-84);
* ``staffing.csv`` (per proposed grid), ``roster.csv`` (officer × day), ``blind_spots.json``;
* ``plan_units.geojson`` — every unit with its grid code (read back by :func:`read_plan`);
* ``redesign.json`` — the summary (``--json`` of the CLI prints the same).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata.files import atomic_path
from geodata.grids import load_grids
from geodata.incidents import load_incidents
from geodata.jurisdictions import load_jurisdictions
from gridplan.errors import InvalidInputError, Problem
from gridplan.grids.partition import GridPlan
from gridplan.grids.tables import (
    blind_spot_data,
    current_frame,
    plan_from_units,
    proposed_frame,
    roster_frame,
    staffing_frame,
    units_frame,
)
from gridplan.grids.workflow import Redesign, StaffedPlan
from gridplan.network import StreetNetwork

WGS84 = "EPSG:4326"
UNITS_FILE = "plan_units.geojson"
ILLUSTRATIVE = "illustrative current layout"


@dataclass(frozen=True, eq=False)
class RedesignInputs:
    network: StreetNetwork
    jurisdictions: gpd.GeoDataFrame
    current: gpd.GeoDataFrame | None
    incidents: gpd.GeoDataFrame | None
    notes: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())


def load_redesign_inputs(
    *,
    network_file: str | os.PathLike[str] | None = None,
    jurisdictions_file: str | os.PathLike[str] | None = None,
    codes: tuple[str, ...] = (),
    current_file: str | os.PathLike[str] | None = None,
    incidents_file: str | os.PathLike[str] | None = None,
    incident_options: Mapping[str, Any] | None = None,
) -> RedesignInputs:
    """Network, jurisdictions (``codes``, else the parents of today's grids, else all), today's
    layout and incidents; the bundled sample fills what is missing when no network file is
    given. ``incident_options`` go to :func:`geodata.incidents.load_incidents`."""
    from geodata import sample
    from geodata.osm import load_network

    notes: list[str] = []
    warnings: list[Problem] = []
    if network_file is None:
        net = sample.network("walk")
        notes.append("bundled central-Shanghai sample (© OpenStreetMap contributors)")
    else:
        net = load_network(network_file, mode="walk")
    if jurisdictions_file is not None:
        loaded = load_jurisdictions(jurisdictions_file)
        jur, warnings = loaded.frame, warnings + loaded.warnings
    elif network_file is None:
        jur = sample.jurisdictions()
    else:
        raise InvalidInputError("which jurisdictions?", [Problem(
            "jurisdictions_file", "", "a polygon file of the districts, towns or communities",
            "none", "pass jurisdictions_file with network_file")])
    current = None
    if current_file is not None:
        loaded = load_grids(current_file, jurisdictions=jur)
        current, warnings = loaded.frame, warnings + loaded.warnings
    elif network_file is None:
        current = sample.grids()
    if current is not None and "illustrative" in current and current["illustrative"].all():
        notes.append(ILLUSTRATIVE)
    incidents = None
    if incidents_file is not None:
        loaded = load_incidents(incidents_file, **dict(incident_options or {}))
        incidents, warnings = loaded.frame, warnings + loaded.warnings
    elif network_file is None:
        incidents = sample.incidents(net=net)
        notes.append("synthetic incidents")
    return RedesignInputs(net, select_jurisdictions(jur, codes, current), current, incidents,
                          tuple(notes), tuple(warnings))


def select_jurisdictions(jur: gpd.GeoDataFrame, codes: tuple[str, ...],
                         current: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """``codes``, else the parents of today's grids, else every jurisdiction."""
    known = jur["code"].astype(str)
    if codes:
        missing = sorted(set(codes) - set(known))
        if missing:
            raise InvalidInputError("unknown jurisdiction codes", [Problem(
                "codes", c, f"one of {sorted(known)[:20]}", "no such code",
                "check the codes in the jurisdictions file") for c in missing])
        return jur[known.isin(codes)].reset_index(drop=True)
    if current is not None and known.isin(current["parent_code"].astype(str)).any():
        return jur[known.isin(current["parent_code"].astype(str))].reset_index(drop=True)
    return jur


# ------------------------------------------------------------------------------------ output
def _geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_crs(WGS84).to_file(path, driver="GeoJSON")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel reads the Chinese


def _json(data: Any, path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")


def write_redesign(result: Redesign, out: str | os.PathLike[str], *,
                   notes: tuple[str, ...] = ()) -> dict[str, Path]:
    """Every redesign file under ``out``, written together: they are made in a scratch folder
    beside ``out`` and moved in only when all succeeded (a failure leaves ``out`` as it was)."""
    proposed = proposed_frame(result)
    current = current_frame(result, illustrative=ILLUSTRATIVE in notes)
    spots = {"notes": list(notes), "proposed": blind_spot_data(result.proposed)}
    if result.current is not None:
        spots["current"] = blind_spot_data(result.current)
    writers: dict[str, tuple[str, Any]] = {
        "proposed": ("grids_proposed.geojson", lambda p: _geojson(proposed, p)),
        "staffing": ("staffing.csv", lambda p: _csv(staffing_frame(result, proposed), p)),
        "roster": ("roster.csv", lambda p: _csv(roster_frame(result.proposed), p)),
        "blind_spots": ("blind_spots.json", lambda p: _json(spots, p)),
        "units": (UNITS_FILE, lambda p: _geojson(
            units_frame(result.proposed.plan, dict(result.proposed.keys)), p)),
        "report": ("redesign.json", lambda p: _json({"notes": list(notes), **result.summary()},
                                                    p)),
    }
    if current is not None:
        writers["current"] = ("grids_current.geojson", lambda p: _geojson(current, p))
    return write_together(Path(out), writers)


def write_together(out: Path, writers: Mapping[str, tuple[str, Any]]) -> dict[str, Path]:
    """Run each ``kind: (file name, write(path))`` into a scratch folder, then move the files
    into ``out``; nothing lands in ``out`` unless every writer succeeded."""
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".gridplan-", dir=out))
    try:
        for name, write in writers.values():
            write(scratch / name)
        paths = {}
        for kind, (name, _) in writers.items():
            os.replace(scratch / name, out / name)
            paths[kind] = out / name
        return paths
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def read_plan(path: str | os.PathLike[str]) -> GridPlan:
    """A plan from a ``plan_units.geojson`` written by a redesign (or a hand edit)."""
    from geodata.tables import VECTOR_SUFFIXES, read_vector, require_file

    path = require_file(path, kinds=VECTOR_SUFFIXES, what="plan units file")
    return plan_from_units(read_vector(path), source=str(path))


def write_plan(plan: GridPlan, path: str | os.PathLike[str]) -> Path:
    with atomic_path(path) as tmp:
        _geojson(units_frame(plan, dict(plan.codes)), tmp)
    return Path(path)


def write_roster(staffed: StaffedPlan, path: str | os.PathLike[str]) -> Path:
    with atomic_path(path) as tmp:
        _csv(roster_frame(staffed), tmp)
    return Path(path)
