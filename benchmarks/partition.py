"""Grid partition: ours vs spopt's regionalisation models on the same units.

Run: ``.venv/bin/python -m benchmarks.partition [--k 8] [--seed 0]``

Instances (read from ``../shared`` relative to the repo root; skipped with a note if absent):

* ``shanghai-huangpu``: street blocks of the real OSM drive network of central Shanghai
  (``data/osm-shanghai-central``) inside Huangpu 310101 (``data/cn-admin-districts``), faces above
  40,000 m² cut into cells; workload = the default :class:`WorkloadParams` street-patrol formula.
* ``mexico``: the 32 Mexican states of ``bench/regionalization_spopt``; workload = PCGDP2000 / 1000
  (a stand-in load to balance), projected to EPSG:6372.

Every method gets the same units, the same rook adjacency and the same number of regions k
(max-p chooses its own p from a workload threshold of 0.9 × total / k; ours is then also run with
p grids). spopt models optimise attribute homogeneity, not balance; they get the unit centroids
(and workload for SKATER) as attributes. Reported: max/min workload, largest deviation from the
mean, Polsby–Popper mean/min, whether every region is rook-connected, runtime and peak traced
memory (tracemalloc on for every method alike), and time ratio ours ÷ peer.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from queue import Empty

import geopandas as gpd
import numpy as np

from gridplan.grids import GridPlan, partition_units, unit_adjacency
from gridplan.grids.units import add_workload, attach_streets, street_blocks
from gridplan.network import StreetNetwork, grade_of

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shanghai_units() -> gpd.GeoDataFrame | None:
    osm = SHARED / "data/osm-shanghai-central/shanghai_central_drive.osm"
    districts = SHARED / "data/cn-admin-districts/districts_wgs84.geojson"
    if not osm.exists() or not districts.exists():
        return None
    import osmnx as ox

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = ox.project_graph(ox.graph_from_xml(osm, retain_all=True))
    for i, (_, _, d) in enumerate(g.edges(data=True)):
        d["grade"] = grade_of(d.get("highway"))
        d["street_id"] = i  # drive graph: each directed edge counted as its own street
    net = StreetNetwork(graph=g, mode="drive", source=str(osm))
    nodes, edges = ox.graph_to_gdfs(g)
    d = gpd.read_file(districts)
    d = d[d["adcode"].astype(str) == "310101"].to_crs(g.graph["crs"])
    hull = edges.union_all().convex_hull
    jur = gpd.GeoDataFrame({"code": ["310101"]}, geometry=[d.geometry.iloc[0].intersection(hull)],
                           crs=d.crs)
    units = street_blocks(net, jur, split_above_m2=40_000)
    return add_workload(attach_streets(units, net))


def mexico_units() -> gpd.GeoDataFrame | None:
    shp = SHARED / "bench/regionalization_spopt/mexico/mexicojoin.shp"
    if not shp.exists():
        return None
    m = gpd.read_file(shp)
    if m.crs is None:
        m = m.set_crs(4326)
    m = m.to_crs(6372)
    m["jurisdiction"] = "MX"
    m["workload_h"] = m["PCGDP2000"] / 1000.0
    m.index = [f"s{i:02d}" for i in range(len(m))]
    return m


def measured(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, float, float]:
    """Labels, seconds of an untraced run, peak MiB of a second run under tracemalloc."""
    t0 = time.perf_counter()
    labels = fn()
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return np.asarray(labels), seconds, peak


def measured_capped(fn: Callable[[], np.ndarray], timeout_s: float
                    ) -> tuple[np.ndarray, float, float] | None:
    """:func:`measured` in a forked child; None when it runs past ``timeout_s``."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=lambda: queue.put(measured(fn)))
    child.start()
    try:
        return queue.get(timeout=timeout_s)
    except Empty:
        return None
    finally:
        child.kill()
        child.join()


def spopt_methods(units: gpd.GeoDataFrame, k: int, seed: int) -> dict[str, Callable]:
    import libpysal
    from spopt.region import MaxPHeuristic, RegionKMeansHeuristic, Skater

    gdf = units.reset_index(drop=True).copy()
    c = gdf.geometry.centroid
    gdf["cx"] = (c.x - c.x.mean()) / c.x.std()
    gdf["cy"] = (c.y - c.y.mean()) / c.y.std()
    gdf["wz"] = (gdf["workload_h"] - gdf["workload_h"].mean()) / gdf["workload_h"].std()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)

    def kmeans() -> np.ndarray:
        m = RegionKMeansHeuristic(gdf[["cx", "cy"]].to_numpy(), k, w, seed=seed)
        m.solve()
        return m.labels_

    def skater() -> np.ndarray:
        m = Skater(gdf, w, ["cx", "cy", "wz"], n_clusters=k)
        m.solve()
        return m.labels_

    def maxp() -> np.ndarray:
        np.random.seed(seed)
        m = MaxPHeuristic(gdf, w, ["cx", "cy"], "workload_h",
                          0.9 * gdf["workload_h"].sum() / k, top_n=2)
        m.solve()
        return m.labels_

    return {"spopt RegionKMeans": kmeans, "spopt SKATER": skater, "spopt max-p": maxp}


def row(name: str, units, adj, labels, seconds: float, peak: float) -> dict:
    labels = np.unique(labels, return_inverse=True)[1]
    plan = GridPlan.from_assignment(units, adj, dict(zip(units.index, labels, strict=True)))
    s = plan.summary()
    return {"method": name, "k": s["grids"], "max/min": s["max_min_ratio"],
            "max dev": s["max_dev_from_mean"], "PP mean": s["polsby_popper_mean"],
            "PP min": s["polsby_popper_min"], "contiguous": plan.is_valid(),
            "seconds": seconds, "peak MiB": peak}


def run_instance(name: str, units: gpd.GeoDataFrame, k: int, seed: int, timeout_s: float
                 ) -> list[dict]:
    adj = unit_adjacency(units)
    rows = []

    def ours(n: int) -> Callable[[], np.ndarray]:
        return lambda: partition_units(units, adj, n_grids=n, seed=seed).labels()

    ours(k)()  # warm-up: the first call in a process pays lazy imports and caches
    labels, sec, peak = measured(ours(k))
    rows.append(row(f"gridplan k={k}", units, adj, labels, sec, peak))
    base = sec
    for method, fn in spopt_methods(units, k, seed).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = measured_capped(fn, timeout_s)
        if got is None:
            rows.append({"method": f"{method} (stopped after {timeout_s:.0f} s)"})
            continue
        labels, sec, peak = got
        r = row(method, units, adj, labels, sec, peak)
        r["time ours/peer"] = base / sec if method != "spopt max-p" else None
        rows.append(r)
        if method == "spopt max-p":
            p = r["k"]
            ours_labels, sec_p, peak_p = measured(ours(p))
            r["time ours/peer"] = sec_p / sec
            rows.append(row(f"gridplan k={p} (max-p's p)", units, adj, ours_labels, sec_p,
                            peak_p))
    print(f"\n### {name}: {len(units)} units, k = {k}, seed = {seed}\n")
    header = ["method", "k", "max/min", "max dev", "PP mean", "PP min", "contiguous",
              "seconds", "time ours/peer", "peak MiB"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        cells = []
        for h in header:
            v = r.get(h)
            cells.append("" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, default=8, help="grids for the Shanghai instance")
    ap.add_argument("--k-mexico", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--peer-timeout-s", type=float, default=600.0,
                    help="stop a peer method after this long (run twice: time, then memory)")
    ap.add_argument("--instances", default="mexico,shanghai-huangpu",
                    help="comma-separated: mexico, shanghai-huangpu")
    args = ap.parse_args()
    instances = [("mexico", mexico_units, args.k_mexico),
                 ("shanghai-huangpu", shanghai_units, args.k)]
    wanted = set(args.instances.split(","))
    for name, load, k in instances:
        if name not in wanted:
            continue
        units = load()
        if units is None:
            print(f"\n### {name}: skipped — {SHARED} not found (benchmarks read ../shared)")
            continue
        run_instance(name, units, k, args.seed, args.peer_timeout_s)


if __name__ == "__main__":
    main()
