"""Build the sample's ILLUSTRATIVE grid layout: ``python -m geodata.sample.build_grids``.

Faces of the road network (grades 1–3, plus the sample's outline) are clipped to each
district; strips between carriageways join the block they share most edge with, then the smallest
block is merged into its smallest touching neighbour until
``target`` grids remain. Stations sit on the street node nearest each grid's interior point;
staff follow street length. The result is made-up and marked ``illustrative``.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from geodata import sample

TARGET_GRIDS = 10
MIN_FACE_M2 = 1.0  # drop only degenerate faces; slivers between carriageways merge in
MIN_BLOCK_M2 = 15_000.0


def main_road_faces(net, area) -> list:
    lines = [d["geometry"] for _, _, d in net.graph.edges(data=True) if d["grade"] <= 3]
    noded = shapely.union_all([*lines, area.boundary])
    faces = [
        f
        for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
        if f.area > MIN_FACE_M2
    ]
    return [shapely.intersection(f, area) for f in faces]


def _touching(faces: list, i: int) -> list[tuple[float, int]]:
    out = []
    for j, f in enumerate(faces):
        if j != i:
            shared = shapely.intersection(faces[i].boundary, f.boundary).length
            if shared > 1.0:
                out.append((shared, j))
    return out


def _merge(faces: list, i: int, j: int) -> None:
    faces[j] = shapely.union(faces[j], faces[i])
    faces.pop(i)


def absorb_slivers(faces: list, min_block_m2: float) -> list:
    """Strips between dual carriageways join the block they share the longest edge with."""
    faces = list(faces)
    while len(faces) > 1:
        i = min(range(len(faces)), key=lambda k: faces[k].area)
        if faces[i].area >= min_block_m2:
            break
        touching = _touching(faces, i)
        j = (
            max(touching)[1]
            if touching
            else min(
                (k for k in range(len(faces)) if k != i), key=lambda k: faces[i].distance(faces[k])
            )
        )
        _merge(faces, i, j)
    return faces


def merge_smallest(faces: list, target: int) -> list:
    """Merge the smallest block into its smallest touching neighbour, which keeps sizes even."""
    faces = list(faces)
    while len(faces) > target:
        i = min(range(len(faces)), key=lambda k: faces[k].area)
        touching = _touching(faces, i)
        j = (
            min(touching, key=lambda t: faces[t[1]].area)[1]
            if touching
            else min(
                (k for k in range(len(faces)) if k != i), key=lambda k: faces[i].distance(faces[k])
            )
        )
        _merge(faces, i, j)
    return faces


def build(target: int = TARGET_GRIDS) -> gpd.GeoDataFrame:
    net = sample.network("walk")
    crs = net.crs
    nodes = np.array([(d["x"], d["y"]) for _, d in net.graph.nodes(data=True)])
    hull = shapely.MultiPoint(nodes).convex_hull
    districts = sample.jurisdictions().to_crs(crs)
    rows = []
    total_area = sum(shapely.intersection(g, hull).area for g in districts.geometry)
    for _, d in districts.iterrows():
        area = shapely.intersection(d.geometry, hull)
        if area.area < MIN_FACE_M2:
            continue
        faces = [f for f in main_road_faces(net, area) if f.area > MIN_FACE_M2]
        want = max(1, round(target * area.area / total_area))
        for face in merge_smallest(absorb_slivers(faces, MIN_BLOCK_M2), want):
            rows.append({"parent_code": d["code"], "geometry": face})
    grids = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    # west→east within north→south bands of 600 m, as the DB11/T 2157 layout numbers grids
    c = grids.geometry.representative_point()
    grids["band"] = ((c.y.max() - c.y) // 600).astype(int)
    grids["x"] = c.x
    grids = grids.sort_values(["parent_code", "band", "x"]).reset_index(drop=True)
    grids["seq"] = grids.groupby("parent_code").cumcount() + 1
    grids["code"] = grids["parent_code"] + "000000" + grids["seq"].map("{:03d}".format)
    names = {"310101": "黄浦", "310106": "静安"}
    grids["name"] = [
        f"{names.get(p, p)}示例网格{s:02d}" for p, s in zip(grids["parent_code"], grids["seq"])
    ]
    lengths = []
    stations = []
    streets = [
        (d["geometry"].centroid, d["length"]) for _, _, d in net.undirected().edges(data=True)
    ]
    for geom in grids.geometry:
        inside = [length for mid, length in streets if mid.within(geom)]
        lengths.append(sum(inside) / 1000.0)
        p = geom.representative_point()
        k = int(np.argmin(np.hypot(nodes[:, 0] - p.x, nodes[:, 1] - p.y)))
        stations.append(shapely.Point(nodes[k]))
    grids["enforcement"] = [min(5, max(3, math.ceil(km / 2.5))) for km in lengths]
    grids["sanitation"] = [max(2, math.ceil(km / 1.5)) for km in lengths]
    grids["municipal"] = 1
    grids["greening"] = 1
    st = gpd.GeoSeries(stations, crs=crs).to_crs("EPSG:4326")
    grids["station_lon"] = st.x.round(6).values
    grids["station_lat"] = st.y.round(6).values
    grids["illustrative"] = True
    cols = [
        "code",
        "name",
        "parent_code",
        "station_lon",
        "station_lat",
        "enforcement",
        "sanitation",
        "municipal",
        "greening",
        "illustrative",
        "geometry",
    ]
    return grids[cols].to_crs("EPSG:4326")


if __name__ == "__main__":
    out = build()
    out.to_file(sample.GRIDS_FILE, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)
    print(out.drop(columns="geometry").to_string())
