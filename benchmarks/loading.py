"""Loading benchmark (issue 2): seconds and peak memory to load street networks.

    .venv/bin/python -m benchmarks.loading [--k 6]

Cases, each in a fresh process so peak RSS is that case's own:
* the bundled central-Shanghai sample (OSM XML, 731 KB) — cold (parse + simplify + project) and
  from the GeoPackage cache, next to the peer ``osmnx.graph_from_xml`` + ``project_graph``;
* a larger scale fixture: a k×k MOSAIC OF THE REAL EXTRACT written as ``.osm.pbf`` (every tile a
  shifted copy of the real streets with fresh ids; tiles are not stitched) — not a real city.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
import warnings
from pathlib import Path

from geodata import sample


def write_mosaic_pbf(source: Path, k: int, target: Path) -> Path:
    """k×k shifted copies of every node and way of ``source`` in one PBF file."""
    import osmium

    nodes, ways = [], []
    for obj in osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node():
            nodes.append((obj.id, obj.location.lon, obj.location.lat, dict(obj.tags)))
        else:
            ways.append((obj.id, [n.ref for n in obj.nodes], dict(obj.tags)))
    lons = [n[1] for n in nodes]
    lats = [n[2] for n in nodes]
    dlon, dlat = max(lons) - min(lons) + 0.002, max(lats) - min(lats) + 0.002
    stride = 10 ** (len(str(max(max(n[0] for n in nodes), max(w[0] for w in ways)))) + 1)
    target.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(target)) as writer:
        for t in range(k * k):
            i, j = divmod(t, k)
            for nid, lon, lat, tags in nodes:
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=nid + t * stride, location=(lon + i * dlon, lat + j * dlat), tags=tags
                    )
                )
        for t in range(k * k):
            for wid, refs, tags in ways:
                writer.add_way(
                    osmium.osm.mutable.Way(
                        id=wid + t * stride, nodes=[r + t * stride for r in refs], tags=tags
                    )
                )
    return target


def _case(kind: str, path: str, cache_dir: str, queue) -> None:
    import osmnx as ox  # imports are not what we time: both sides import osmnx

    from geodata.osm import load_network

    t0 = time.perf_counter()
    if kind == "osmnx":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = ox.project_graph(ox.graph_from_xml(path, retain_all=True))
        edges = g.number_of_edges()
    else:
        net = load_network(path, mode="drive", cache_dir=cache_dir, use_cache=kind != "nocache")
        edges = net.graph.number_of_edges()
    seconds = time.perf_counter() - t0
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, edges))


def measure(kind: str, path: Path, cache_dir: Path) -> tuple[float, float, int]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_case, args=(kind, str(path), str(cache_dir), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=6, help="mosaic is k×k tiles (default 6)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mosaic = write_mosaic_pbf(sample.OSM_FILE, args.k, tmp / f"mosaic{args.k}.osm.pbf")
        for label, path, peer in (
            (f"sample .osm ({sample.OSM_FILE.stat().st_size >> 10} KB)", sample.OSM_FILE, True),
            (
                f"mosaic {args.k}×{args.k} .osm.pbf ({mosaic.stat().st_size >> 10} KB)",
                mosaic,
                False,
            ),
        ):
            cache = tmp / f"cache-{path.stem}"
            cold = measure("cold", path, cache)  # parses and writes the cache
            warm = measure("cold", path, cache)  # same call, served from the cache
            rows.append((label, "ours, cold (parse+simplify+project+cache write)", *cold))
            rows.append((label, "ours, from cache", *warm))
            if peer:
                rows.append(
                    (
                        label,
                        "osmnx graph_from_xml + project_graph (peer)",
                        *measure("osmnx", path, cache),
                    )
                )
    print(f"{'file':<34} {'case':<50} {'seconds':>8} {'peak RSS MB':>12} {'edges':>8}")
    for label, case, sec, rss, edges in rows:
        print(f"{label:<34} {case:<50} {sec:8.2f} {rss:12.0f} {edges:8,d}")
    by = {(r[0], r[1][:9]): r[2] for r in rows}
    for label in dict.fromkeys(r[0] for r in rows):
        cold, warm = by[(label, "ours, col")], by[(label, "ours, fro")]
        line = f"{label}: cache speed-up ×{cold / warm:.1f}"
        peer = by.get((label, "osmnx gra"))
        if peer:
            line += (
                f"; ours cold ÷ osmnx = {cold / peer:.2f}, ours cached ÷ osmnx = {warm / peer:.2f}"
            )
        print(line)


if __name__ == "__main__":
    main()
