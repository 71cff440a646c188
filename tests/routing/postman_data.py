"""Loaders for the small real fixtures in tests/data/postman (see its SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data" / "postman"


def sleeping_giant() -> tuple[nx.MultiGraph, list[tuple[str, str, int]]]:
    """The trail network (miles) and its required edges."""
    edges = pd.read_csv(DATA / "sleeping_giant" / "edgelist_sleeping_giant.csv")
    graph = nx.MultiGraph()
    required = []
    for row in edges.itertuples():
        key = graph.add_edge(row.node1, row.node2, length=row.distance, trail=row.trail)
        if row.required == 1:
            required.append((row.node1, row.node2, key))
    return graph, required


def edgelist(name: str) -> nx.MultiGraph:
    edges = pd.read_csv(DATA / name)
    graph = nx.MultiGraph()
    for row in edges.to_dict("records"):
        graph.add_edge(
            row["node1"],
            row["node2"],
            length=float(row["distance"]),
            required=row.get("required", 1),
        )
    return graph


def shanghai_small() -> nx.MultiDiGraph:
    """Strongly connected drive network of central Shanghai, metres (UTM 51N)."""
    graph = nx.MultiDiGraph(crs="EPSG:32651")
    for row in pd.read_csv(DATA / "shanghai_small_nodes.csv").itertuples():
        graph.add_node(int(row.id), x=float(row.x), y=float(row.y))
    edges = pd.read_csv(DATA / "shanghai_small_edges.csv", keep_default_na=False)
    for row in edges.to_dict("records"):
        lanes = int(row["lanes"]) if row["lanes"] != "" else None
        graph.add_edge(
            int(row["u"]),
            int(row["v"]),
            key=int(row["key"]),
            length=float(row["length"]),
            name=row["name"],
            highway=row["highway"],
            lanes=lanes,
            oneway=bool(row["oneway"]),
        )
    return graph


def walking_view(graph: nx.MultiDiGraph) -> nx.MultiGraph:
    """One undirected edge per street: opposite drive edges with equal length merge."""
    out = nx.MultiGraph(crs=graph.graph.get("crs"))
    out.add_nodes_from(graph.nodes(data=True))
    seen = set()
    for u, v, d in graph.edges(data=True):
        street = (min(u, v), max(u, v), round(d["length"], 1))
        if street not in seen:
            seen.add(street)
            out.add_edge(u, v, **d)
    return out
