"""Chinese postman benchmark: ours vs the textbook matching and vs pgRouting, side by side.

Walking (undirected CPP): ``gridplan.routing.postman_tour`` (PyMatching sparse-blossom T-join +
Euler tour) against the textbook method the ``postman_problems`` package uses — Dijkstra from every
odd node, the complete graph of their distances, networkx ``min_weight_matching`` — on the real
Shanghai extract and on k x k mosaics of it (scale fixtures, *not a real city*). Each method runs in
a fresh process; peak RSS is reported above that process's baseline (after imports and graph).

Driving (directed CPP): ours (compiled min-cost flow, see ``gridplan.routing.balance``) against
pgRouting's ``pgr_chinesePostman`` on the same strongly connected graphs, lengths as integer
millimetres so both optima are integers and must be equal; best of three runs each (the first
call of ours in the process also loads the compiled kernels, so a warm-up solve runs first).

Run: ``.venv/bin/python -m benchmarks.postman [--mosaics 2 4 8] [--time-limit 300] [--pg-dsn DSN]``
PostgreSQL: ``GRIDPLAN_BENCH_PG`` or ``--pg-dsn`` (default: role/db gridplan_bench on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import threading
import time

import networkx as nx

from benchmarks.fixtures import largest_part, mosaic, shanghai_drive, walking_view

DEFAULT_DSN = "postgresql://gridplan_bench:gridplan_bench@127.0.0.1:5432/gridplan_postman_bench"


class _PeakRss:
    """Peak resident memory above the level at entry (MB), sampled every 5 ms by a thread.

    Covers the C++ side (PyMatching) too, and unlike tracemalloc does not slow Python code.
    """

    def __enter__(self) -> _PeakRss:
        self._base = self._peak = _rss_now_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.005):
            self._peak = max(self._peak, _rss_now_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, _rss_now_mb())

    @property
    def mb(self) -> float:
        return self._peak - self._base


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _ours(graph: nx.MultiGraph) -> dict:
    from gridplan.routing import postman_tour

    with _PeakRss() as memory:
        t = time.perf_counter()
        tour = postman_tour(graph)
        seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "length": tour.length_m,
        "rss_mb": memory.mb,
        "exact_to_m": tour.rounding_bound_m,
    }


def _textbook(graph: nx.MultiGraph) -> dict:
    with _PeakRss() as memory:
        t = time.perf_counter()
        extra = _textbook_matching(graph)
        seconds = time.perf_counter() - t
    required = sum(d for *_, d in graph.edges(data="length"))
    return {"seconds": seconds, "length": required + extra, "rss_mb": memory.mb}


def _textbook_matching(graph: nx.MultiGraph) -> float:
    odd = [v for v, d in graph.degree() if d % 2]
    closure = nx.Graph()
    for i, a in enumerate(odd):
        dist = nx.single_source_dijkstra_path_length(graph, a, weight="length")
        closure.add_weighted_edges_from((a, b, dist[b]) for b in odd[i + 1 :])
    matching = nx.min_weight_matching(closure)
    return sum(closure.edges[a, b]["weight"] for a, b in matching)


def _child(fn, graph, queue) -> None:
    queue.put(fn(graph))


def run_isolated(fn, graph, *, time_limit_s: float) -> dict | None:
    """Run ``fn(graph)`` in a fresh process; None when it exceeds the time limit."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, graph, queue))
    proc.start()
    try:
        return queue.get(timeout=time_limit_s + 60)  # + start-up and graph transfer
    except Exception:
        return None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def walking_table(instances: list[tuple[str, nx.MultiGraph]], *, time_limit_s: float) -> list[str]:
    rows = [
        "| instance | nodes | edges | odd nodes | ours s | textbook s | speed-up | ours optimum m "
        "| textbook optimum m | diff m | ours peak MB | textbook peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    gave_up = False  # once the textbook exceeds the limit, larger instances are not attempted
    for name, graph in instances:
        odd = sum(1 for _, d in graph.degree() if d % 2)
        ours = run_isolated(_ours, graph, time_limit_s=time_limit_s)
        book = None if gave_up else run_isolated(_textbook, graph, time_limit_s=time_limit_s)
        if book is None or book["seconds"] > time_limit_s:
            book, gave_up = None, True
        book_s = f"{book['seconds']:.2f}" if book else f"> {time_limit_s:.0f}"
        ratio = (
            f"{book['seconds'] / ours['seconds']:.0f}x"
            if book
            else f"> {time_limit_s / ours['seconds']:.0f}x"
        )
        book_len = f"{book['length']:.3f}" if book else "—"
        diff = f"{ours['length'] - book['length']:+.4f}" if book else "—"
        book_mb = f"{book['rss_mb']:.0f}" if book else "—"
        rows.append(
            f"| {name} | {graph.number_of_nodes()} | {graph.number_of_edges()} | {odd} | "
            f"{ours['seconds']:.3f} | {book_s} | {ratio} | {ours['length']:.3f} | {book_len} "
            f"| {diff} | {ours['rss_mb']:.0f} | {book_mb} |"
        )
        print(rows[-1], flush=True)
    return rows


def reduction_table(instances: list[tuple[str, nx.MultiGraph]]) -> None:
    """How much the exact T-join reduction removes, and the matcher's decode time with and
    without it (same process, same integer weights as ``min_weight_tjoin``)."""
    import numpy as np

    from gridplan.routing.postman_input import edge_arrays
    from gridplan.routing.tjoin import (
        MAX_INTEGER_WEIGHT,
        _matcher,
        cheapest_parallel_edges,
        integer_scale,
    )
    from gridplan.routing.tjoin_reduce import reduce_tjoin

    print("| instance | edges | after reduction | odd nodes | after reduction | reduce s "
          "| decode reduced s | decode full s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, graph in instances:
        a = edge_arrays(graph, weight="length")
        degree = np.bincount(a.tails, minlength=a.num_nodes) + np.bincount(
            a.heads, minlength=a.num_nodes)
        odd = (degree % 2).astype(np.uint8)
        keep = cheapest_parallel_edges(a.tails, a.heads, a.weights)
        resolution, _ = integer_scale(a.weights[keep])
        weights = np.round(a.weights[keep] / resolution).astype(np.int64)
        t = time.perf_counter()
        eu, ev, ew, _, _, alive, _, left = reduce_tjoin(
            a.num_nodes, a.tails[keep], a.heads[keep], weights, odd, MAX_INTEGER_WEIGHT)
        reduce_s = time.perf_counter() - t
        kept = np.flatnonzero(alive)
        t = time.perf_counter()
        _matcher(a.num_nodes, eu[kept], ev[kept], ew[kept].astype(float)).decode_to_edges_array(
            left)
        reduced_s = time.perf_counter() - t
        t = time.perf_counter()
        _matcher(a.num_nodes, a.tails[keep], a.heads[keep],
                 weights.astype(float)).decode_to_edges_array(odd)
        full_s = time.perf_counter() - t
        print(f"| {name} | {keep.size} | {kept.size} | {int(odd.sum())} | {int(left.sum())} | "
              f"{reduce_s:.3f} | {reduced_s:.3f} | {full_s:.3f} |", flush=True)


def _millimetre_graph(drive: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Integer-mm lengths; parallel arcs subdivided at a midpoint (same optimum).

    pgr_chinesePostman merges parallel arcs (it walks the cheaper one twice and never covers the
    other), so both solvers get a graph without them.
    """
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(drive.nodes(data=True))
    for u, v, k, d in drive.edges(keys=True, data=True):
        mm = max(2, round(float(d["length"]) * 1000))
        if graph.has_edge(u, v):
            mid = ("mid", u, v, k)
            graph.add_edge(u, mid, length=mm // 2)
            graph.add_edge(mid, v, length=mm - mm // 2)
        else:
            graph.add_edge(u, v, length=mm)
    return graph


def _pgrouting(
    dsn: str, graph: nx.MultiDiGraph, *, time_limit_s: float
) -> tuple[float, float] | str:
    """(total cost, seconds) from pgr_chinesePostman, or why it could not run."""
    try:
        import psycopg
    except ImportError:
        return "psycopg not installed"
    try:
        conn = psycopg.connect(dsn, connect_timeout=5, autocommit=True)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available"
        return f"PostgreSQL not available ({type(exc).__name__})"
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pgrouting'")
        if cur.fetchone()[0] == 0:
            return "pgRouting extension not installed in that database"
        ids = {n: i + 1 for i, n in enumerate(graph.nodes)}
        cur.execute("DROP TABLE IF EXISTS postman_bench_edges")
        cur.execute(
            "CREATE TABLE postman_bench_edges (id bigint, source bigint, target bigint, "
            "cost float8, reverse_cost float8)"
        )
        with cur.copy("COPY postman_bench_edges FROM STDIN") as copy:
            for i, (u, v, w) in enumerate(graph.edges(data="length"), start=1):
                copy.write_row((i, ids[u], ids[v], float(w), -1.0))  # -1: one direction only
        cur.execute(f"SET statement_timeout = {int(time_limit_s * 1000)}")
        t = time.perf_counter()
        try:
            cur.execute(
                "SELECT sum(cost) FROM pgr_chinesePostman("
                "'SELECT id, source, target, cost, reverse_cost FROM postman_bench_edges')"
            )
            total = float(cur.fetchone()[0])
        except psycopg.errors.QueryCanceled:
            return f"> {time_limit_s:.0f} s"
        return total, time.perf_counter() - t


def driving_table(
    instances: list[tuple[str, nx.MultiDiGraph]], *, dsn: str, time_limit_s: float,
    repeats: int = 3,
) -> list[str]:
    from gridplan.routing import postman_tour

    rows = [
        "| instance | nodes | arcs | ours s | pgRouting s | speed-up | ours optimum mm "
        "| pgRouting optimum mm | equal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, drive in instances:
        graph = _millimetre_graph(drive)
        ours_s = float("inf")
        for _ in range(repeats):  # best of n: the machine is shared
            t = time.perf_counter()
            tour = postman_tour(graph)
            ours_s = min(ours_s, time.perf_counter() - t)
        peer: tuple[float, float] | str = "not run"
        for _ in range(repeats):
            got = _pgrouting(dsn, graph, time_limit_s=time_limit_s)
            if isinstance(got, str) or isinstance(peer, str) or got[1] < peer[1]:
                peer = got
            if isinstance(got, str):
                break
        if isinstance(peer, str):
            rows.append(
                f"| {name} | {graph.number_of_nodes()} | {graph.number_of_edges()} | "
                f"{ours_s:.3f} | {peer} | — | {tour.length_m:.0f} | — | — |"
            )
        else:
            total, peer_s = peer
            rows.append(
                f"| {name} | {graph.number_of_nodes()} | {graph.number_of_edges()} | "
                f"{ours_s:.3f} | {peer_s:.3f} | {peer_s / ours_s:.1f}x | {tour.length_m:.0f} | "
                f"{total:.0f} | {'yes' if round(total) == round(tour.length_m) else 'NO'} |"
            )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mosaics", type=int, nargs="*", default=[2, 4, 8])
    parser.add_argument("--drive-mosaics", type=int, nargs="*", default=[2, 4])
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--pg-dsn", default=os.environ.get("GRIDPLAN_BENCH_PG", DEFAULT_DSN))
    parser.add_argument("--skip-walking", action="store_true")
    parser.add_argument("--reduction", action="store_true",
                        help="also tabulate the exact T-join reduction on the walking instances")
    args = parser.parse_args()
    from gridplan.routing import postman_tour

    drive = shanghai_drive()
    if drive is None:
        print("../shared/data/osm-shanghai-central is absent: nothing to benchmark.")
        return
    print(
        f"Walking (undirected CPP), textbook capped at {args.time_limit:.0f} s; "
        "'mosaic' = mosaic of the real extract, not a real city"
    )
    walk = [("Shanghai sample", largest_part(walking_view(drive)))]
    walk += [
        (f"mosaic {k}x{k}", largest_part(walking_view(mosaic(drive, k=k)))) for k in args.mosaics
    ]
    if not args.skip_walking:
        for row in walking_table(walk, time_limit_s=args.time_limit)[:2]:
            print(row)
    if args.reduction:
        print("\nExact T-join reduction before the matching (leaves, degree-2 chains)")
        reduction_table(walk)
    print("\nDriving (directed CPP) vs pgRouting pgr_chinesePostman, lengths in integer mm")
    drives = [("Shanghai sample (largest SCC)", largest_part(drive))]
    drives += [
        (f"mosaic {k}x{k} (largest SCC)", largest_part(mosaic(drive, k=k)))
        for k in args.drive_mosaics
    ]
    postman_tour(_millimetre_graph(largest_part(drive)))  # warm-up: load the compiled kernels
    for row in driving_table(drives, dsn=args.pg_dsn, time_limit_s=args.time_limit)[:2]:
        print(row)


if __name__ == "__main__":
    main()
