"""Per-grid slices of a city network: exactly the streets a grid's plan looks at, in the whole
graph's order, so plans on a slice equal plans on the whole network."""

from __future__ import annotations

from datetime import date

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from api.engine.routes import plan_routes_on
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.model import Grid, Shift
from gridplan.routing import PatrolParams, plan_grid
from gridplan.routing.plan_area import BRIDGED
from gridplan.routing.shifts import shift_on
from gridplan.slicing import NetworkSlicer, prepare_network

DAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def city() -> tuple:
    net = sample.network("walk")
    grids = grids_to_model(sample.grids(), metric_crs=str(net.crs))
    incidents = sample.incidents(net=net).to_crs(net.crs)
    return net, grids, incidents


def _shift() -> Shift:
    return shift_on(DAY, "08:00-12:00")


def _figures(plan) -> dict:
    found = plan.to_dict()
    found.pop("runtime_s")
    return found


@pytest.mark.slow
def test_seeded_two_officer_plans_on_slices_equal_whole_network_plans(city: tuple) -> None:
    net, grids, incidents = city
    params = PatrolParams(seed=7, max_iterations=3, time_limit_s=600,
                          estimate_officers_needed=False)
    chosen = sorted(grids, key=lambda g: g.geometry.area)[:2]  # the smallest: a quick search
    slicer = NetworkSlicer.of(net, params)
    for grid in chosen:
        piece = slicer.cut(grid)
        assert piece.graph.number_of_edges() < net.graph.number_of_edges()
        whole = plan_grid(net, grid, officers=2, shift=_shift(), incidents=incidents,
                          params=params)
        sliced = plan_grid(piece, grid, officers=2, shift=_shift(), params=params,
                           incidents=slicer.incidents_near(piece, incidents))
        assert _figures(sliced) == _figures(whole)
        assert sliced.is_valid(piece.graph) and whole.is_valid(net.graph)
        assert [s.street_id for r in sliced.routes for s in r.steps] == \
            [s.street_id for r in whole.routes for s in r.steps]


@pytest.mark.slow
def test_routes_on_an_in_process_engine_equal_the_workflow_in_one_process(city: tuple) -> None:
    from api.engine.cluster import engine_client

    net, grids, incidents = city
    params = PatrolParams(max_iterations=3, estimate_officers_needed=False, time_limit_s=600)
    codes = [g.code for g in sorted(grids, key=lambda g: g.geometry.area)[:3]]
    plain = plan_routes_on(None, net, grids, grid_codes=codes, shift=_shift(), officers=1,
                           incidents=incidents, params=params)
    with engine_client(workers=2, processes=False) as client:
        engine = plan_routes_on(client, net, grids, grid_codes=codes, shift=_shift(), officers=1,
                                incidents=incidents, params=params)
    assert [p.grid_code for p in engine.plans] == codes
    assert [_figures(p) for p in engine.plans] == [_figures(p) for p in plain.plans]


def test_walk_gaps_are_bridged_once_for_the_city(city: tuple) -> None:
    net, *_ = city
    params = PatrolParams()
    prepared = prepare_network(net, params)
    gap, links = prepared.graph.graph[BRIDGED]
    assert gap == params.bridge_gaps_m and links >= 0
    assert prepare_network(prepared, params) is prepared  # not again
    assert BRIDGED not in net.graph.graph  # the caller's network is left as it was
    drive = sample.network("drive")
    assert prepare_network(drive, params) is drive  # driving: nothing to bridge


@settings(max_examples=15, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(0.05, 0.95), st.floats(50, 600), st.floats(0, 800))
def test_a_slice_holds_exactly_the_streets_near_the_grid_in_graph_order(
        fx: float, fy: float, size: float, buffer_m: float) -> None:
    net = sample.network("walk")
    slicer = NetworkSlicer.of(net, PatrolParams(connect_buffer_m=buffer_m))
    graph = slicer.network.graph
    x0, y0, x1, y1 = shapely.total_bounds(shapely.points(
        [(d["x"], d["y"]) for _, d in graph.nodes(data=True)]))
    cx, cy = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    grid = Grid(code="g", geometry=box(cx - size, cy - size, cx + size, cy + size),
                parent_code="310101")
    reach = grid.geometry.buffer(buffer_m)
    expected = [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                if d["geometry"].intersects(reach)]
    piece = slicer.cut(grid)
    assert list(piece.graph.edges(keys=True)) == expected
    assert piece.crs == net.crs and piece.graph.graph[BRIDGED] == graph.graph[BRIDGED]
    for u, v, k in expected[:20]:
        assert piece.graph.edges[u, v, k] == graph.edges[u, v, k]


def test_a_large_pbf_streams_with_node_locations_on_disk(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path) -> None:
    """Above LARGE_FILE_BYTES the node index is a file (memory bounded by the page cache); the
    network read is the same as with the in-memory index."""
    from pathlib import Path

    import geodata.osm as osm

    pbf = Path(__file__).resolve().parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
    in_memory = osm._read_with(pbf, osm._location_storage(pbf, tmp_path))
    monkeypatch.setattr(osm, "LARGE_FILE_BYTES", 0)
    storage = osm._location_storage(pbf, tmp_path)
    assert storage.startswith("sparse_file_array,")
    on_disk = osm._read(pbf)
    assert len(on_disk.streets) == len(in_memory.streets) > 100
    assert on_disk.streets == in_memory.streets and on_disk.waterways == in_memory.waterways
