"""Street networks from local OpenStreetMap files (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``).

One reader serves every format: pyosmium (libosmium's Python bindings, maintained by the OSM
developers) streams XML, compressed XML and PBF alike, with node locations resolved in C++. The
older PBF readers (pyrosm, esy-osm-pbf) are pure-Python or unmaintained and pyrosm no longer
installs on current Python; pyosmium ships wheels for 3.11+.

Only ways tagged ``highway`` that the patrol mode may use become edges; waterways are kept as a
separate line layer (``StreetNetwork.layers["waterways"]``) for the dumping risk terrain. The graph
is osmnx-compatible: osmnx simplifies it and projects it (local UTM, or a CGCS2000 3-degree
Gauss–Krüger zone on request) — see :mod:`gridplan.network` for the edge contract.

Online download (:func:`download_network`) goes through osmnx and is only ever called explicitly.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pyproj
from shapely.geometry import LineString

from gridplan.errors import InputFileError, InvalidInputError, Problem
from gridplan.network import DEFAULT_GRADES, MODES, Mode, StreetNetwork
from gridplan.network_build import (
    assign_street_ids,
    network_from_graph,
    normalise_edges,
    project_graph,
)
from gridplan.street_sides import CACHE_KEY as SIDES_CACHE

OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml")
CACHE_VERSION = 5  # bump when the graph we build changes shape

# Highway classes nobody patrols (under construction, proposals, raceways, …).
_NEVER = {
    "abandoned",
    "construction",
    "proposed",
    "planned",
    "razed",
    "raceway",
    "no",
    "bus_guideway",
    "platform",
    "escape",
    "elevator",
    "emergency_bay",
    "rest_area",
    "services",
}
_NOT_ON_FOOT = {"motorway", "motorway_link", "busway"}
_NOT_BY_CAR = {
    "footway",
    "path",
    "pedestrian",
    "steps",
    "cycleway",
    "bridleway",
    "corridor",
    "track",
    "via_ferrata",
    "elevator",
}
_NO = {"no", "private"}
_YES = {"yes", "designated", "permissive"}
_STREET_TAGS = (
    "highway",
    "name",
    "ref",
    "oneway",
    "junction",
    "lanes",
    "access",
    "foot",
    "motor_vehicle",
    "motorcar",
    "service",
    "area",
    "motorroad",
    "expressway",
    "bridge",
    "tunnel",
    "sidewalk",
    "footway",
    "dual_carriageway",
)


@dataclass(frozen=True, slots=True)
class NetworkOptions:
    """How to turn an OSM file into a patrol network.

    ``crs``: ``"utm"`` (local UTM zone, default), ``"cgcs2000"`` (CGCS2000 3-degree Gauss–Krüger
    zone of the area's centre, EPSG:4534–4554) or any pyproj-readable CRS string in metres.
    ``grades``: OSM ``highway`` → management grade 1–4 (defaults: :data:`DEFAULT_GRADES`).
    """

    mode: Mode = "walk"
    crs: str = "utm"
    grades: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_GRADES))
    simplify: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.mode not in MODES:
            problems.append(
                Problem(
                    "mode",
                    "",
                    "walk or drive",
                    repr(self.mode),
                    "pass --mode walk (on foot) or --mode drive",
                )
            )
        bad = {k: v for k, v in self.grades.items() if v not in (1, 2, 3, 4)}
        if bad:
            problems.append(
                Problem(
                    "grades",
                    ", ".join(bad),
                    "grades 1–4",
                    str(bad),
                    "map every highway class to 1, 2, 3 or 4",
                )
            )
        if problems:
            raise InvalidInputError("invalid network options", problems)

    def cache_key(self) -> str:
        return json.dumps(
            [CACHE_VERSION, self.mode, self.crs, sorted(self.grades.items()), self.simplify]
        )


# ----------------------------------------------------------------------------- tag filters
def usable(tags: Mapping[str, str], mode: Mode) -> bool:
    """May a patrol in ``mode`` use a way with these tags? (walk: one-way tags are ignored)."""
    hw = tags.get("highway")
    if not hw or hw in _NEVER or tags.get("area") == "yes":
        return False
    access = tags.get("access")
    if mode == "walk":
        foot = tags.get("foot")
        if foot in _NO or hw in _NOT_ON_FOOT and foot not in _YES:
            return False
        if _expressway(tags) and foot not in _YES and tags.get("sidewalk") in (None, "no", "none"):
            return False
        return not (access in _NO and foot not in _YES)
    if hw in _NOT_BY_CAR or tags.get("motor_vehicle") in _NO or tags.get("motorcar") in _NO:
        return False
    if tags.get("service") in {"parking_aisle", "driveway", "private", "emergency_access"}:
        return False
    return access not in _NO


def _expressway(tags: Mapping[str, str]) -> bool:
    """Motor roads, trunk roads on bridges and trunk/primary roads in tunnels: China's elevated
    expressways (高架) and road tunnels, which have no footway unless tagged with one."""
    if tags.get("motorroad") == "yes" or tags.get("expressway") == "yes":
        return True
    hw = tags.get("highway")
    if tags.get("tunnel", "no") != "no" and hw in (
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
    ):
        return True
    return tags.get("bridge", "no") != "no" and hw in ("trunk", "trunk_link")


def oneway_direction(tags: Mapping[str, str]) -> int:
    """+1 one-way along the way, −1 against it, 0 both ways (for driving)."""
    ow = tags.get("oneway", "")
    if ow in ("yes", "true", "1"):
        return 1
    if ow in ("-1", "reverse"):
        return -1
    if ow == "no":
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


# ----------------------------------------------------------------------------- reading
@dataclass(slots=True)
class _Raw:
    streets: list[tuple[int, dict[str, str], list[int], list[tuple[float, float]]]]
    waterways: list[tuple[int, dict[str, str], list[tuple[float, float]]]]
    other_ways: dict[str, int]


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputFileError(
            f"{path}: file not found",
            [
                Problem(
                    str(path),
                    "",
                    "an existing OpenStreetMap file",
                    "no such file",
                    "check the path; download an extract (e.g. from Geofabrik) or pass --download",
                )
            ],
        )
    if not str(path.name).lower().endswith(OSM_SUFFIXES):
        raise InputFileError(
            f"{path}: not an OSM file",
            [
                Problem(
                    str(path),
                    "",
                    f"a file ending in {', '.join(OSM_SUFFIXES)}",
                    f"'{path.suffix or path.name}'",
                    "convert it with osmium-tool or rename it",
                )
            ],
        )


#: files at least this large keep node locations in a file index on disk, not in memory: a
#: province extract has ~10^8 nodes (GBs as an in-memory map); the page cache bounds the memory
LARGE_FILE_BYTES = 256 * 1024 * 1024


def _read(path: Path) -> _Raw:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gridplan-osm-") as scratch:
        return _read_with(path, _location_storage(path, Path(scratch)))


def _location_storage(path: Path, scratch: Path) -> str:
    """pyosmium's node location index: in memory for city files, a sparse file for big ones."""
    if path.stat().st_size < LARGE_FILE_BYTES:
        return "flex_mem"
    return f"sparse_file_array,{scratch / 'node_locations.idx'}"


def _read_with(path: Path, storage: str) -> _Raw:
    import osmium

    raw = _Raw([], [], defaultdict(int))
    try:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations(
            storage)
        for obj in fp:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            if "highway" in tags:
                kept = {k: tags[k] for k in _STREET_TAGS if k in tags}
                refs, xy = _way_nodes(obj)
                raw.streets.append((obj.id, kept, refs, xy))
            elif "waterway" in tags:
                raw.waterways.append(
                    (
                        obj.id,
                        {"waterway": tags["waterway"], "name": tags.get("name", "")},
                        _way_nodes(obj)[1],
                    )
                )
            else:
                raw.other_ways[next(iter(tags), "untagged")] += 1
    except (RuntimeError, ValueError, OSError) as exc:
        raise InputFileError(
            f"{path}: cannot read OSM data",
            [
                Problem(
                    str(path),
                    "",
                    "a valid OSM XML or PBF file",
                    f"{type(exc).__name__}: {exc}",
                    "re-download the extract; check it with `osmium fileinfo`",
                )
            ],
        ) from exc
    return raw


def _way_nodes(way) -> tuple[list[int], list[tuple[float, float]]]:
    refs, xy = [], []
    for n in way.nodes:
        if n.location.valid():
            refs.append(n.ref)
            xy.append((n.location.lon, n.location.lat))
    return refs, xy


# ----------------------------------------------------------------------------- graph building
def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def _build_graph(raw: _Raw, opts: NetworkOptions, name: str) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs="epsg:4326", name=name, created_with="gridplan")
    for way_id, tags, refs, xy in raw.streets:
        if len(refs) < 2 or not usable(tags, opts.mode):
            continue
        direction = 0 if opts.mode == "walk" else oneway_direction(tags)
        attrs = {
            "osmid": way_id,
            "highway": tags["highway"],
            "name": tags.get("name", ""),
            "oneway": direction != 0 or tags.get("oneway") in ("yes", "true", "1", "-1"),
            "lanes": _lanes(tags.get("lanes")),
            # what pairs ways into one street (gridplan.street_sides)
            "footway": tags.get("footway", ""),
            "dual_carriageway": tags.get("dual_carriageway") == "yes",
        }
        for (u, pu), (v, pv) in zip(zip(refs, xy), zip(refs[1:], xy[1:]), strict=False):
            if u == v:
                continue
            g.add_node(u, x=pu[0], y=pu[1])
            g.add_node(v, x=pv[0], y=pv[1])
            length = _haversine_m(pu, pv)
            if direction >= 0 and not _has_way(g, u, v, way_id):
                g.add_edge(u, v, length=length, reversed=False, **attrs)
            if direction <= 0 and not _has_way(g, v, u, way_id):
                g.add_edge(v, u, length=length, reversed=True, **attrs)
    return g


def _has_way(g: nx.MultiDiGraph, u: int, v: int, way_id: int) -> bool:
    """Whether ``u → v`` of OSM way ``way_id`` is an edge already. A file may hold a way twice
    — osmnx's ``save_graph_xml`` writes a two-way street once per direction, under the same
    way id — and a street drawn twice would be planned, walked and counted twice."""
    return any(d["osmid"] == way_id for d in g.get_edge_data(u, v, default={}).values())


def _lanes(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return max(int(float(p)) for p in value.replace(",", ";").split(";") if p.strip())
    except ValueError:
        return None


def _no_streets_error(path: Path, raw: _Raw, mode: Mode) -> InvalidInputError:
    total = len(raw.streets)
    others = ", ".join(
        f"{k}={v}" for k, v in sorted(raw.other_ways.items(), key=lambda kv: -kv[1])[:5]
    )
    found = (
        f"{total} highway ways, none usable for {mode}"
        if total
        else f"no highway ways ({others or 'no ways at all'})"
    )
    return InvalidInputError(
        f"{path}: no streets for mode {mode}",
        [
            Problem(
                str(path),
                "",
                f"ways tagged highway=* usable for {mode}",
                found,
                "use an extract that contains the street network"
                + (" or try the other --mode" if total else ""),
            )
        ],
    )


def _waterways_layer(raw: _Raw, crs: object) -> gpd.GeoDataFrame:
    rows = [
        {"osmid": i, "waterway": t["waterway"], "name": t["name"], "geometry": LineString(xy)}
        for i, t, xy in raw.waterways
        if len(xy) >= 2
    ]
    layer = gpd.GeoDataFrame(
        rows,
        columns=["osmid", "waterway", "name", "geometry"],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return layer.to_crs(crs)


def network_from_file(path: str | os.PathLike[str], opts: NetworkOptions) -> StreetNetwork:
    """Parse, filter, simplify and project (no cache)."""
    path = Path(path)
    _check_path(path)
    raw = _read(path)
    g = _build_graph(raw, opts, path.name)
    if g.number_of_edges() == 0:
        raise _no_streets_error(path, raw, opts.mode)
    project_graph(g, opts.crs)  # before simplifying, so merged geometries come out in metres
    if opts.simplify:
        import osmnx as ox  # imported lazily: it pulls in scikit-learn (seconds at start-up)

        g = ox.simplification.simplify_graph(g)
    normalise_edges(g, opts.grades)
    assign_street_ids(g)
    g.graph["mode"] = opts.mode
    return StreetNetwork(
        g, opts.mode, str(path), {"waterways": _waterways_layer(raw, g.graph["crs"])}
    )


# ----------------------------------------------------------------------------- cache
def default_cache_dir() -> Path:
    return Path(os.environ.get("GRIDPLAN_CACHE_DIR") or Path.home() / ".cache" / "gridplan")


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_EDGE_COLUMNS = (
    "u",
    "v",
    "key",
    "street_id",
    "length",
    "grade",
    "highway",
    "name",
    "oneway",
    "reversed",
    "lanes",
    "osmid",
    "footway",
    "dual_carriageway",
)


def _cache_paths(path: Path, opts: NetworkOptions, cache_dir: Path) -> tuple[Path, Path]:
    key = hashlib.sha256((_file_digest(path) + opts.cache_key()).encode()).hexdigest()[:24]
    return cache_dir / f"{key}.gpkg", cache_dir / f"{key}.json"


def _edges_frame(g: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    rows = []
    for u, v, k, d in g.edges(keys=True, data=True):
        osm = d["osmid"]
        rows.append(
            (
                u,
                v,
                k,
                d["street_id"],
                d["length"],
                d["grade"],
                d["highway"],
                d["name"],
                d["oneway"],
                d["reversed"],
                -1 if d["lanes"] is None else d["lanes"],
                ";".join(map(str, osm)) if isinstance(osm, list) else str(osm),
                d["footway"],
                d["dual_carriageway"],
                d["geometry"],
            )
        )
    return gpd.GeoDataFrame(
        rows, columns=[*_EDGE_COLUMNS, "geometry"], geometry="geometry", crs=g.graph["crs"]
    )


def _nodes_frame(g: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    ids = list(g.nodes)
    data = {c: [g.nodes[n][c] for n in ids] for c in ("x", "y", "lon", "lat")}
    return gpd.GeoDataFrame(
        {"osmid": ids, **data},
        geometry=gpd.points_from_xy(data["x"], data["y"]),
        crs=g.graph["crs"],
    )


def _save_atomically(net: StreetNetwork, gpkg: Path, meta: Path) -> None:
    """GeoPackage (nodes, edges, waterways) then a JSON sidecar; the sidecar marks completeness."""
    gpkg.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=gpkg.parent) as tmp:
        g_tmp, m_tmp = Path(tmp) / gpkg.name, Path(tmp) / meta.name
        _nodes_frame(net.graph).to_file(g_tmp, layer="nodes", engine="pyogrio")
        _edges_frame(net.graph).to_file(g_tmp, layer="edges", engine="pyogrio")
        net.layers["waterways"].to_file(g_tmp, layer="waterways", engine="pyogrio")
        info = {
            k: (pyproj.CRS.from_user_input(v).to_wkt() if k == "crs" else v)
            for k, v in net.graph.graph.items()
            if k != SIDES_CACHE  # found again from the edges when needed
        }
        m_tmp.write_text(json.dumps({"graph": info, "mode": net.mode}, ensure_ascii=False))
        os.replace(g_tmp, gpkg)
        os.replace(m_tmp, meta)


def _osmid(text: str) -> int | list[int]:
    parts = [int(p) for p in text.split(";")]
    return parts[0] if len(parts) == 1 else parts


def _load_cached(gpkg: Path, meta: Path, source: str) -> StreetNetwork:
    info = json.loads(meta.read_text())
    nodes = gpd.read_file(gpkg, layer="nodes", engine="pyogrio")
    edges = gpd.read_file(gpkg, layer="edges", engine="pyogrio")
    g = nx.MultiDiGraph(
        **(info["graph"] | {"crs": pyproj.CRS.from_user_input(info["graph"]["crs"])})
    )
    g.add_nodes_from(
        (int(i), {"x": x, "y": y, "lon": lo, "lat": la})
        for i, x, y, lo, la in zip(
            nodes["osmid"], nodes["x"], nodes["y"], nodes["lon"], nodes["lat"], strict=True
        )
    )
    cols = [edges[c].tolist() for c in _EDGE_COLUMNS] + [list(edges.geometry.values)]
    for u, v, k, sid, length, grade, hw, name, oneway, rev, lanes, osm, fw, dual, geom in zip(
        *cols, strict=True
    ):
        g.add_edge(
            int(u),
            int(v),
            key=int(k),
            street_id=int(sid),
            length=float(length),
            grade=int(grade),
            highway=hw,
            name=name or "",
            oneway=bool(oneway),
            reversed=bool(rev),
            lanes=None if lanes < 0 else int(lanes),
            osmid=_osmid(osm),
            footway=fw or "",
            dual_carriageway=bool(dual),
            geometry=geom,
        )
    waterways = gpd.read_file(gpkg, layer="waterways", engine="pyogrio")
    return StreetNetwork(g, info["mode"], source, {"waterways": waterways})


def load_network(
    path: str | os.PathLike[str],
    *,
    mode: Mode = "walk",
    crs: str = "utm",
    grades: Mapping[str, int] | None = None,
    simplify: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> StreetNetwork:
    """Load a patrol street network from a local OSM file (XML, bz2/gz XML or PBF).

    The result is projected to a metric CRS (metres) and cached as GeoPackage keyed by the file's
    SHA-256 and the options, so a second load of the same file is fast. Cache files are written
    atomically: an interrupted run never leaves a half-written cache behind.
    """
    opts = NetworkOptions(
        mode=mode, crs=crs, grades=dict(grades or DEFAULT_GRADES), simplify=simplify
    )
    path = Path(path)
    _check_path(path)
    if not use_cache:
        return network_from_file(path, opts)
    gpkg, meta = _cache_paths(path, opts, Path(cache_dir or default_cache_dir()))
    if gpkg.exists() and meta.exists():
        return _load_cached(gpkg, meta, str(path))
    net = network_from_file(path, opts)
    _save_atomically(net, gpkg, meta)
    return net


def download_network(
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: Mode = "walk",
    crs: str = "utm",
    grades: Mapping[str, int] | None = None,
) -> StreetNetwork:
    """Download from the Overpass API through osmnx — the only online path, never implicit.

    ``bbox`` is (west, south, east, north) in WGS-84 degrees.
    """
    if (place is None) == (bbox is None):
        raise InvalidInputError(
            "download needs exactly one area",
            [
                Problem(
                    "download",
                    "",
                    "either a place name or a bbox",
                    f"place={place!r}, bbox={bbox!r}",
                    "pass --place '黄浦区, 上海市' or --bbox W,S,E,N",
                )
            ],
        )
    import osmnx as ox

    nt = "walk" if mode == "walk" else "drive"
    g = (
        ox.graph.graph_from_place(place, network_type=nt, simplify=True)
        if place
        else ox.graph.graph_from_bbox(bbox, network_type=nt, simplify=True)
    )
    net = network_from_graph(g, mode=mode, crs=crs, grades=grades,
                             source=f"overpass:{place or bbox}")
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=net.crs)
    net.layers["waterways"] = empty
    return net


def network_summary(net: StreetNetwork) -> dict:
    """Nodes, edges, street km by grade, CRS and bounding boxes (projected and WGS-84)."""
    g = net.graph
    xs = [d["x"] for _, d in g.nodes(data=True)]
    ys = [d["y"] for _, d in g.nodes(data=True)]
    lons = [d["lon"] for _, d in g.nodes(data=True)]
    lats = [d["lat"] for _, d in g.nodes(data=True)]
    km = net.street_km_by_grade()
    crs = pyproj.CRS.from_user_input(g.graph["crs"])
    return {
        "source": net.source,
        "mode": net.mode,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "streets": len({d["street_id"] for _, _, d in g.edges(data=True)}),
        "street_km_by_grade": {str(k): round(v, 3) for k, v in km.items()},
        "street_km_total": round(sum(km.values()), 3),
        "crs": crs.to_string(),
        "crs_name": crs.name,
        "bbox": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
        "bbox_wgs84": [
            round(min(lons), 6),
            round(min(lats), 6),
            round(max(lons), 6),
            round(max(lats), 6),
        ],
        "waterways": len(net.layers.get("waterways", [])),
    }
