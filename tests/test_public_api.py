"""The curated top level a notebook user can guess, and networks from osmnx graphs."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections import Counter

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest
from shapely.geometry import Point

import gridplan
from geodata import sample
from gridplan.crs import metric_crs, metric_crs_of, to_metric
from gridplan.errors import InvalidInputError


def test_every_public_name_resolves() -> None:
    for name in gridplan.__all__:
        assert getattr(gridplan, name) is not None, name
    assert gridplan.__version__


def test_import_gridplan_is_light() -> None:
    code = ("import sys, gridplan; heavy = {'geopandas', 'scipy', 'networkx', 'shapely'} & "
            "set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        gridplan.plan_everything  # noqa: B018


@pytest.fixture(scope="module")
def osmnx_graph() -> nx.MultiDiGraph:
    """The bundled sample read by osmnx itself (unprojected, osmnx's own conventions)."""
    with warnings.catch_warnings():  # the extract was saved by osmnx, which osmnx notes
        warnings.simplefilter("ignore", UserWarning)
        return ox.graph_from_xml(sample.OSM_FILE, simplify=True, retain_all=True)


def test_from_osmnx_gives_the_network_contract(osmnx_graph) -> None:
    before = osmnx_graph.number_of_edges()
    net = gridplan.StreetNetwork.from_osmnx(osmnx_graph)
    assert osmnx_graph.number_of_edges() == before  # the user's graph is not changed
    assert net.crs.to_epsg() == 32651  # Shanghai: UTM 51N
    g = net.graph
    for u, v, d in g.edges(data=True):
        assert d["length"] > 0 and d["grade"] in (1, 2, 3, 4)
        assert g.has_edge(v, u)  # on foot every street goes both ways
        start = d["geometry"].coords[0]
        assert start == pytest.approx((g.nodes[u]["x"], g.nodes[u]["y"]), abs=0.5)
    ids = Counter(d["street_id"] for u, v, d in g.edges(data=True) if u != v)
    assert set(ids.values()) == {2}  # one id per physical street, both directions


def test_from_osmnx_plans_routes(osmnx_graph) -> None:
    net = gridplan.StreetNetwork.from_osmnx(osmnx_graph)
    centre = gpd.GeoSeries([Point(121.4736, 31.2304)], crs="EPSG:4326").to_crs(net.crs)[0]
    grid = gridplan.Grid(code="G1", geometry=centre.buffer(250), parent_code="310101",
                        station=centre)
    result = gridplan.plan_routes(net, [grid], officers=2, shift="08:00-12:00",
                                  params=gridplan.PatrolParams(max_iterations=5))
    (plan,) = result.plans
    assert plan.is_valid(net.graph) and plan.coverage > 0.9


def test_a_frame_without_crs_is_an_error() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(121.47, 31.23)])
    with pytest.raises(InvalidInputError, match="no coordinate reference system") as err:
        to_metric(frame, "EPSG:32651", name="incidents")
    assert "set_crs" in err.value.problems[0].fix


def test_metric_crs_choices() -> None:
    assert metric_crs(121.47, 31.23).to_epsg() == 32651
    assert metric_crs(121.47, 31.23, crs="cgcs2000").to_epsg() == 4549
    assert metric_crs(-121.9, 37.3).to_epsg() == 32610  # San José
    with pytest.raises(InvalidInputError):
        metric_crs(121.47, 31.23, crs="EPSG:4326")
    frame = gpd.GeoDataFrame(geometry=[Point(24.94, 60.17)], crs="EPSG:4326")
    assert metric_crs_of(frame).to_epsg() == 32635  # Helsinki
