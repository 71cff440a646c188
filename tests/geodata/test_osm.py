import bz2
import gzip
import shutil
from pathlib import Path

import networkx as nx
import pytest

from geodata import sample
from geodata.osm import load_network, network_summary, oneway_direction, usable
from gridplan.errors import InputFileError, InvalidInputError

DATA = Path(__file__).parents[1] / "data" / "osm"
SHANGHAI = sample.OSM_FILE


def test_walk_network_contract(sample_walk):
    g = sample_walk.graph
    assert g.graph["crs"].to_epsg() == 32651
    for _, _, d in g.edges(data=True):
        assert d["length"] > 0 and d["grade"] in (1, 2, 3, 4)
        assert abs(d["geometry"].length - d["length"]) < 1e-6
        assert isinstance(d["name"], str)
    # walk: every street both ways, pairs share a street_id
    by_street: dict[int, list] = {}
    for u, v, d in g.edges(data=True):
        by_street.setdefault(d["street_id"], []).append((u, v))
    assert all(
        sorted(p) == sorted([(a, b), (b, a)])
        for p in by_street.values()
        for (a, b) in p[:1]
        if a != b
    )
    assert nx.is_strongly_connected(g.subgraph(max(nx.strongly_connected_components(g), key=len)))


def test_chinese_names_and_grades_kept(sample_walk):
    names = {d["name"] for _, _, d in sample_walk.graph.edges(data=True)}
    assert {"延安东路", "成都北路", "淮海中路"} & names
    km = sample_walk.street_km_by_grade()
    assert km[1] > 5 and km[3] > 10


def test_walk_excludes_elevated_expressways(sample_walk):
    names = {d["name"] for _, _, d in sample_walk.graph.edges(data=True)}
    assert "南北高架路" not in names and "延安高架路" not in names


def test_drive_respects_one_way(sample_drive, sample_walk):
    one_way = [(u, v) for u, v, d in sample_drive.graph.edges(data=True) if d["oneway"]]
    assert one_way
    assert sum(not sample_drive.graph.has_edge(v, u) for u, v in one_way) > 0
    assert sample_drive.graph.number_of_edges() < sample_walk.graph.number_of_edges() * 1.0


def test_tag_filters():
    assert usable({"highway": "footway"}, "walk") and not usable({"highway": "footway"}, "drive")
    assert not usable({"highway": "motorway"}, "walk")
    assert not usable({"highway": "residential", "foot": "no"}, "walk")
    assert not usable({"highway": "trunk", "bridge": "yes"}, "walk")
    assert usable({"highway": "trunk", "bridge": "yes", "sidewalk": "both"}, "walk")
    assert not usable({"highway": "service", "access": "private"}, "drive")
    assert oneway_direction({"oneway": "-1"}) == -1
    assert oneway_direction({"junction": "roundabout"}) == 1


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz", ".osm.bz2"])
def test_compressed_xml_gives_the_same_network(tmp_path, suffix):
    target = tmp_path / f"shanghai{suffix}"
    opener = {".osm": open, ".osm.gz": gzip.open, ".osm.bz2": bz2.open}[suffix]
    with open(SHANGHAI, "rb") as src, opener(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    net = load_network(target, mode="drive", use_cache=False)
    assert (
        network_summary(net)["edges"]
        == network_summary(load_network(SHANGHAI, mode="drive", use_cache=False))["edges"]
    )


def test_pbf_loads():
    net = load_network(DATA / "Helsinki.osm.pbf", mode="walk", use_cache=False)
    info = network_summary(net)
    assert info["crs"] == "EPSG:32635" and info["edges"] > 1000
    assert 24.9 < info["bbox_wgs84"][0] < 24.96
    assert info["waterways"] > 0  # waterways are kept as their own layer, never as streets


def test_cache_round_trip_is_identical_and_used(tmp_path, monkeypatch):
    from geodata import osm

    cold = load_network(SHANGHAI, mode="walk", cache_dir=tmp_path)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the second load parsed the OSM file instead of using the cache")

    monkeypatch.setattr(osm, "network_from_file", no_parsing)
    warm = load_network(SHANGHAI, mode="walk", cache_dir=tmp_path)
    assert network_summary(cold) == network_summary(warm)
    a = sorted(
        (u, v, d["street_id"], round(d["length"], 6), d["name"], d["grade"])
        for u, v, d in cold.graph.edges(data=True)
    )
    b = sorted(
        (u, v, d["street_id"], round(d["length"], 6), d["name"], d["grade"])
        for u, v, d in warm.graph.edges(data=True)
    )
    assert a == b
    assert list(tmp_path.glob("*.part")) == []
    assert warm.graph.graph["crs"] == cold.graph.graph["crs"]


def test_cgcs2000_projection():
    net = load_network(SHANGHAI, mode="drive", crs="cgcs2000", use_cache=False)
    assert net.graph.graph["crs"].to_epsg() == 4549  # CGCS2000 / 3-degree GK CM 120E


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(InputFileError, match="file not found") as e:
        load_network(tmp_path / "nowhere.osm")
    assert "nowhere.osm" in e.value.report()
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x01 not a pbf")
    with pytest.raises(InputFileError, match="cannot read OSM data"):
        load_network(bad, use_cache=False)
    wrong = tmp_path / "streets.csv"
    wrong.write_text("a,b\n")
    with pytest.raises(InputFileError, match="not an OSM file"):
        load_network(wrong)


def test_file_without_streets(tmp_path):
    xml = tmp_path / "buildings.osm"
    xml.write_text(
        "<?xml version='1.0'?><osm version='0.6'>"
        "<node id='1' lat='31.0' lon='121.0'/><node id='2' lat='31.001' lon='121.0'/>"
        "<node id='3' lat='31.001' lon='121.001'/>"
        "<way id='10'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='1'/>"
        "<tag k='building' v='yes'/></way></osm>"
    )
    with pytest.raises(InvalidInputError) as e:
        load_network(xml, use_cache=False)
    report = e.value.report()
    assert "no highway ways" in report and "building=1" in report


def test_invalid_options():
    with pytest.raises(InvalidInputError) as e:
        load_network(SHANGHAI, mode="fly", grades={"primary": 7})
    assert len(e.value.problems) == 2


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_a_way_written_once_per_direction_is_one_street(tmp_path, mode):
    # osmnx's save_graph_xml writes a two-way street once per direction under one way id
    nodes = ("<node id='1' lat='31.0' lon='121.0'/><node id='2' lat='31.001' lon='121.0'/>"
             "<node id='3' lat='31.002' lon='121.0'/><node id='4' lat='31.001' lon='121.001'/>")
    way = "<way id='10'>{}<tag k='highway' v='residential'/></way>"
    side = "<way id='11'><nd ref='2'/><nd ref='4'/><tag k='highway' v='residential'/></way>"
    once, twice = tmp_path / "once.osm", tmp_path / "twice.osm"
    for path, ways in ((once, [way.format("<nd ref='1'/><nd ref='2'/><nd ref='3'/>")]),
                       (twice, [way.format("<nd ref='1'/><nd ref='2'/><nd ref='3'/>"),
                                way.format("<nd ref='3'/><nd ref='2'/><nd ref='1'/>")])):
        path.write_text(f"<?xml version='1.0'?><osm version='0.6'>{nodes}{''.join(ways)}"
                        f"{side}</osm>")
    a, b = (load_network(p, mode=mode, use_cache=False) for p in (once, twice))
    assert b.graph.number_of_edges() == a.graph.number_of_edges()
    assert b.street_km_by_grade() == a.street_km_by_grade()
