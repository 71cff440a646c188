"""Officers' shifts as arc-routing capacity: patrol streets measured in minutes.

Walking a street costs ``length_m / walk speed``; serving it (walking it while inspecting the
shops along it) adds ``inspection_min_per_km`` per kilometre. With demand = serving minutes and
capacity = shift minutes this is exactly a CARP, so :func:`fewest_vehicles_for_capacity` answers
"how few officers cover these streets within a shift" and :func:`solve_minmax` "how to share them
fairly among k officers".

Note: as in the CARP model, the shift budget counts serving time, not the deadheading walk
between streets; routes report their full walking minutes (``route_costs``) so a planner sees both.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx

from gridplan.errors import ProblemCollector
from gridplan.routing.arcroute_instance import ArcInstance


def shift_instance(
    graph: nx.Graph,
    required: Iterable[tuple],
    station: Hashable,
    *,
    shift_minutes: float | None,
    walk_speed_kmh: float = 4.5,
    inspection_min_per_km: float = 10.0,
    length_attr: str = "length",
    name: str = "",
) -> ArcInstance:
    """An :class:`ArcInstance` in minutes over a street graph whose ``length_attr`` is in metres.

    ``required`` lists street keys ``(u, v)`` or ``(u, v, key)`` of ``graph`` (a projected street
    network); ``station`` is the node the officers start and end at. ``shift_minutes=None`` gives
    an uncapacitated instance (for min–max routing).
    """
    issues = ProblemCollector("shift parameters")
    if not walk_speed_kmh > 0:
        issues.add(
            "walk_speed_kmh",
            expected="> 0",
            found=str(walk_speed_kmh),
            fix="use e.g. 4.5 km/h for patrol on foot",
        )
    if not inspection_min_per_km >= 0:
        issues.add(
            "inspection_min_per_km",
            expected=">= 0",
            found=str(inspection_min_per_km),
            fix="use 0 for a pass-through patrol",
        )
    if shift_minutes is not None and not shift_minutes > 0:
        issues.add(
            "shift_minutes",
            expected="> 0 or None",
            found=str(shift_minutes),
            fix="give the shift length in minutes, e.g. 240",
        )
    issues.raise_if_any()
    metres_per_minute = walk_speed_kmh * 1000.0 / 60.0
    minutes = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
    minutes.add_nodes_from(graph.nodes)
    keyed = graph.is_multigraph()
    edges = (
        graph.edges(keys=True, data=True)
        if keyed
        else ((u, v, 0, d) for u, v, d in graph.edges(data=True))
    )
    for u, v, k, data in edges:
        length = data.get(length_attr)
        walk = length / metres_per_minute if length is not None and length >= 0 else None
        minutes.add_edge(u, v, key=k, minutes=walk, length_m=length)
    required = [tuple(key) if len(key) > 2 else (key[0], key[1], 0) for key in required]
    serve: dict[tuple, float] = {}
    for u, v, k in required:
        data = minutes.get_edge_data(u, v, k) or {}
        length = data.get("length_m") or 0.0
        serve[(u, v, k)] = (data.get("minutes") or 0.0) + inspection_min_per_km * length / 1000.0
    return ArcInstance.from_graph(
        minutes,
        required,
        station,
        weight="minutes",
        demand=serve,
        service_cost=serve,
        capacity=shift_minutes,
        name=name,
    )
