"""``gridplan grids redesign | move | roster`` on the bundled sample (≈5 s for the redesign)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from api.cli import cli
from geodata import sample


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def redesigned(tmp_path_factory):
    out = tmp_path_factory.mktemp("redesign")
    result = invoke("grids", "redesign", "--out", out, "--seed", 2, "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_redesign_json_compares_with_the_current_layout(redesigned):
    _, data = redesigned
    assert {"illustrative current layout", "synthetic incidents"} <= set(
        n for n in data["notes"])
    current, proposed = data["current"], data["proposed"]
    assert current["grids"] == proposed["grids"] == len(sample.grids())
    for key in ("max_min_ratio", "max_dev_from_mean", "polsby_popper_mean", "staff_needed",
                "incidents_uncovered_share", "boundary_length_m"):
        assert key in current and key in proposed
        assert key in data["comparison"] or key == "incidents_uncovered_share"
    assert data["comparison"]["units_changed_grid"]["b"] == len(data["units_changed_grid"])
    assert proposed["contiguous"] and proposed["roster_meets_targets"]
    assert proposed["max_min_ratio"] < current["max_min_ratio"]  # the point of a redesign
    assert proposed["headcount"] == int(sample.grids()["enforcement"].sum())
    assert data["problems"] == []


def test_redesign_writes_geojson_csv_and_json(redesigned):
    out, data = redesigned
    proposed = gpd.read_file(out / "grids_proposed.geojson")
    current = gpd.read_file(out / "grids_current.geojson")
    for frame in (proposed, current):
        assert {"code", "name", "parent_code", "workload_h", "enforcement", "sanitation",
                "municipal", "greening", "station_lon", "station_lat", "illustrative"} <= set(
            frame.columns)
        assert frame.crs.to_epsg() == 4326
    assert not proposed["illustrative"].any() and current["illustrative"].all()
    assert proposed["code"].is_unique and proposed["station_lon"].notna().all()
    assert proposed["sanitation"].sum() == sample.grids()["sanitation"].sum()
    staffing = pd.read_csv(out / "staffing.csv", dtype={"code": str})
    assert set(staffing["code"]) == set(proposed["code"])
    assert staffing["enforcement"].between(3, 5).all()
    roster = pd.read_csv(out / "roster.csv", dtype={"grid": str})
    assert len(roster) == staffing["enforcement"].sum()
    assert list(roster.columns[2:]) == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    spots = json.loads((out / "blind_spots.json").read_text(encoding="utf-8"))
    assert {"proposed", "current", "notes"} <= set(spots)
    assert spots["proposed"]["lines"] and "uncovered" in spots["proposed"]["lines"][0]
    assert set(data["files"]) >= {"proposed", "current", "staffing", "roster", "blind_spots",
                                  "units", "report"}


def test_same_seed_same_json(redesigned, tmp_path):
    _, data = redesigned
    again = invoke("grids", "redesign", "--out", tmp_path, "--seed", 2, "--json")
    fresh = json.loads(again.stdout)
    assert {k: v for k, v in fresh.items() if k != "files"} == {
        k: v for k, v in data.items() if k != "files"}


def test_move_then_refusal_says_why(redesigned, tmp_path):
    out, _ = redesigned
    plan = out / "plan_units.geojson"
    units = gpd.read_file(plan)
    from geodata.grid_plans import read_plan

    p = read_plan(plan)
    labels, m = p.labels(), p.adjacency.matrix.tocoo()
    # a unit on a grid boundary whose grid stays in one piece without it
    from gridplan.grids import move_units

    for i, j in zip(m.row, m.col, strict=True):
        if labels[i] == labels[j]:
            continue
        uid, to = p.units.index[i], p.codes[int(labels[j])]
        try:
            move_units(p, [uid], to)
        except Exception:  # noqa: BLE001 - looking for a legal move to run through the CLI
            continue
        break
    edited = tmp_path / "edited.geojson"
    ok = invoke("grids", "move", "--plan", plan, "--units", uid, "--to", to, "--out", edited,
                "--json")
    assert ok.exit_code == 0, ok.output
    moved = gpd.read_file(edited).set_index("unit_id")
    assert moved.at[uid, "grid"] == to and len(moved) == len(units)
    other_jurisdiction = units[units["jurisdiction"] != moved.at[uid, "jurisdiction"]]
    refused = CliRunner().invoke(cli, ["grids", "move", "--plan", str(edited), "--units",
                                       f"{uid},NOPE", "--to", other_jurisdiction["grid"].iloc[0]])
    assert refused.exit_code == 2
    assert "no such unit" in refused.output and "NOPE" in refused.output


def test_roster_command_on_a_plan(redesigned, tmp_path):
    """…and with recent coverage, the streets its tracks never reached next to the roster (a
    grid rostered around the clock that nobody walked at night is a patrol gap)."""
    from geodata.grid_plans import read_plan

    out, _ = redesigned
    code = sorted(read_plan(out / "plan_units.geojson").codes.values())[0]
    spots = [{"grid": code, "kind": "street", "id": "1", "name": "福州路", "grade": 2,
              "length_m": 420.0, "period": period, "not_reached_in": f"7 {what}",
              "last": None} for period, what in (("night", "nights"), ("weekend",
                                                                        "weekend days"))]
    coverage = tmp_path / "coverage.json"
    coverage.write_text(json.dumps({"blind_spots": spots}), encoding="utf-8")
    result = invoke("grids", "roster", "--plan", out / "plan_units.geojson", "--headcount", 40,
                    "--coverage", coverage, "--out", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["shortfalls"] == [] and sum(data["officers"].values()) + data["reserve"] == 40
    assert (tmp_path / "roster.csv").exists()
    rows = data["observed_blind_spots"]["rows"]
    assert {(r["grid"], r["period"], r["street_km"]) for r in rows} == {
        (code, "night", 0.42), (code, "weekend", 0.42)}
    assert {r["cause"] for r in rows} <= {"rostered_not_walked", "partly_rostered"}
    cells = {(c["day"], c["shift"]) for c in data["observed_blind_spots"]["calendar"]}
    assert cells == {(d, "night") for d in range(7)} | {(5, "day"), (6, "day")}


@pytest.mark.parametrize(("args", "says"), [
    (["--grids", 500], "at most"),
    (["--grids", 10_000], "<= 5000"),
    (["--headcount", 5], "11 grids × 3 minimum"),
    (["--shifts", "day-8"], "name:HH-HH"),
])
def test_bad_requests_are_reports_not_tracebacks(args, says, tmp_path):
    result = CliRunner().invoke(cli, ["grids", "redesign", "--out", str(tmp_path),
                                      *map(str, args)])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_redesign_from_files_without_incidents(tmp_path):
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    sample.DISTRICTS_FILE, "--current", sample.GRIDS_FILE, "--grids", 6,
                    "--headcount", 24, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "illustrative current layout" in result.output
    assert "synthetic" not in result.output
    assert (tmp_path / "grids_proposed.geojson").exists()


def test_network_without_jurisdictions_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["grids", "redesign", "--network", str(sample.OSM_FILE),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--jurisdictions" in result.output


def test_demo_step_writes_both_layouts_and_the_reports(tmp_path, sample_walk):
    from api.cli.demo import DemoContext, step_grids_redesign

    ctx = DemoContext(out=tmp_path, seed=1, network=sample_walk,
                      jurisdictions=sample.jurisdictions(), grids=sample.grids(),
                      incidents=sample.incidents(seed=1, n=600, net=sample_walk))
    step_grids_redesign(ctx)
    for name in ("grids_current.geojson", "grids_proposed.geojson", "staffing.csv",
                 "roster.csv", "blind_spots.json"):
        assert (tmp_path / name) in ctx.written
    info = ctx.summary["redesign"]
    assert "synthetic incidents" in info["note"] and "illustrative" in info["note"]
    assert info["proposed"]["grids"] == info["current"]["grids"]


def test_parameters_come_from_one_toml_file_and_options_override_it(tmp_path):
    toml = tmp_path / "plan.toml"
    toml.write_text('[grids]\nn_grids = 5\nseed = 4\n[staffing]\nmin_officers_per_grid = 2\n'
                    '[roster]\nshifts = "早:07-15,晚:19-03"\n[partition]\nn_starts = 1\n',
                    encoding="utf-8")
    result = invoke("grids", "redesign", "--params", toml, "--out", tmp_path / "a", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["proposed"]["grids"] == 5 and data["seed"] == 4
    roster = pd.read_csv(tmp_path / "a" / "roster.csv", keep_default_na=False)
    on_duty = {v for v in roster.iloc[:, 2:].to_numpy().ravel() if v}
    assert on_duty == {"早", "晚"}
    override = invoke("grids", "redesign", "--params", toml, "--grids", 4, "--out",
                      tmp_path / "b", "--json")
    assert json.loads(override.stdout)["proposed"]["grids"] == 4
    toml.write_text("[grids]\nn_grid = 5\n", encoding="utf-8")
    typo = CliRunner().invoke(cli, ["grids", "redesign", "--params", str(toml), "--out",
                                    str(tmp_path / "c")])
    assert typo.exit_code == 2 and "did you mean 'n_grids'" in typo.output
