"""Bad inputs to the grid commands (issue 10.8): one report with every problem, exit status 2,
no traceback, nothing half-written — on the sample and on files of a second city (Helsinki)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from api.cli import cli
from geodata import sample

STAFF = ["enforcement", "sanitation", "municipal", "greening"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _no_output(folder: Path) -> bool:
    return not folder.exists() or not any(p for p in folder.iterdir())


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    grids = sample.grids()
    paths = {"no_staff": folder / "no_staff.geojson", "swapped": folder / "swapped.geojson",
             "bowtie": folder / "bowtie_districts.geojson"}
    grids.drop(columns=STAFF).to_file(paths["no_staff"], driver="GeoJSON")
    swapped = grids.copy()
    swapped["geometry"] = shapely.transform(swapped.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    swapped.to_file(paths["swapped"], driver="GeoJSON")
    districts = sample.jurisdictions()
    ring = list(districts.geometry.iloc[0].geoms[0].exterior.coords)
    ring[10], ring[11] = ring[11], ring[10]  # two vertices swapped: the ring crosses itself
    districts.loc[0, "geometry"] = shapely.Polygon(ring)
    assert not districts.geometry.iloc[0].is_valid
    districts.to_file(paths["bowtie"], driver="GeoJSON")
    return paths


def test_grids_file_without_staff_columns_redesigns(files, tmp_path):
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    sample.DISTRICTS_FILE, "--current", files["no_staff"], "--out", tmp_path,
                    "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # nobody on file: every proposed grid gets its need, not an unstaffable headcount of 0
    assert data["current"]["officers"] == 0
    assert data["proposed"]["headcount"] == data["proposed"]["staff_needed"]


def test_swapped_lat_lon_is_one_report_and_nothing_written(files, tmp_path):
    out = tmp_path / "out"
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    sample.DISTRICTS_FILE, "--current", files["swapped"], "--out", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.count("look swapped") == len(sample.grids())  # every grid, one report
    assert "GEOS" not in result.output and _no_output(out)
    routes = invoke("routes", "--network", sample.OSM_FILE, "--grids", files["swapped"],
                    "--grid", sample.grids()["code"].iloc[0], "--out", out)
    assert routes.exit_code == 2 and "look swapped" in routes.output and _no_output(out)


def test_swapped_but_in_range_coordinates_are_caught_against_the_jurisdictions(tmp_path):
    """Helsinki (24.9 E, 60.2 N) with latitude first is still a valid lon/lat pair: the
    jurisdictions show it is swapped."""
    from geodata.grids import load_grids

    district = gpd.GeoDataFrame({"code": ["091"]}, geometry=[shapely.box(24.90, 60.15, 25.0,
                                                                           60.20)],
                                crs="EPSG:4326")
    grid = shapely.box(60.16, 24.92, 60.18, 24.95)  # (lat, lon) written as (x, y)
    path = tmp_path / "hel_grids.geojson"
    gpd.GeoDataFrame({"code": ["HEL1"], "parent_code": ["091"]}, geometry=[grid],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match="swapped") as info:
        load_grids(path, jurisdictions=district)
    assert "write longitude first" in str(info.value)


def test_self_intersecting_district_is_reported_by_grids_as_by_hotspots(files, tmp_path):
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    files["bowtie"], "--grids", 4, "--seed", 1, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "make_valid" in line]
    assert len(warned) == 1 and "Self-intersection" in warned[0] and "feature 1" in warned[0]
    from geodata.jurisdictions import load_jurisdictions

    # the loader every command uses says the same, word for word
    assert str(load_jurisdictions(files["bowtie"]).warnings[0]) in warned[0]


def test_how_many_grids_names_the_options_to_pass(tmp_path):
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    sample.DISTRICTS_FILE, "--out", tmp_path)
    assert result.exit_code == 2 and "how many grids?" in result.output
    assert "--grids" in result.output and "--target-workload" in result.output
    assert "n_grids" not in result.output


@pytest.mark.parametrize("shifts", ["day:08-08", "day:08-16,day:18-02", "day:8"])
def test_ambiguous_or_unreadable_shifts_are_refused(shifts, tmp_path):
    result = invoke("grids", "redesign", "--shifts", shifts, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--shifts" in result.output
    assert "Traceback" not in result.output and _no_output(tmp_path / "o")


def test_the_sample_sliver_is_reported_and_no_grid_has_a_sliver_piece(tmp_path):
    result = invoke("grids", "redesign", "--network", sample.OSM_FILE, "--jurisdictions",
                    sample.DISTRICTS_FILE, "--grids", 6, "--seed", 3, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    slivers = [line for line in result.stderr.splitlines() if "sliver" in line]
    assert len(slivers) == 1 and "192 m²" in slivers[0] and "310106" in slivers[0]
    proposed = gpd.read_file(tmp_path / "grids_proposed.geojson").to_crs(sample.METRIC_CRS)
    pieces = proposed.geometry.explode(index_parts=False)
    assert (pieces.area >= 400).all()
