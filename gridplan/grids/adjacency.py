"""Which basic units touch, and along how many metres of boundary.

The answer is a symmetric sparse matrix (scipy CSR) of shared boundary lengths in metres, in the
row order of the units table. Rook contiguity keeps pairs sharing a boundary of positive length;
queen contiguity also keeps pairs touching at a corner only (stored with a tiny positive length,
:data:`CORNER_LENGTH_M`, so the pair survives in a sparse matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy import sparse

from gridplan.errors import ProblemCollector

Contiguity = Literal["rook", "queen"]

#: Stand-in length for a corner-only contact under queen contiguity (metres).
CORNER_LENGTH_M = 1e-6


@dataclass(frozen=True, slots=True)
class UnitAdjacency:
    """Shared boundary lengths between units (metres), symmetric CSR, zero diagonal."""

    matrix: sparse.csr_matrix
    contiguity: Contiguity

    @property
    def n_units(self) -> int:
        return int(self.matrix.shape[0])

    def neighbours(self, i: int) -> np.ndarray:
        start, end = self.matrix.indptr[i], self.matrix.indptr[i + 1]
        return self.matrix.indices[start:end]

    def to_graph(self) -> nx.Graph:
        """A networkx graph on row positions with ``shared_m`` edge weights."""
        g = nx.Graph()
        g.add_nodes_from(range(self.n_units))
        coo = sparse.triu(self.matrix, k=1).tocoo()
        g.add_weighted_edges_from(
            zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True),
            weight="shared_m",
        )
        return g


def adjacency_from_pairs(
    n_units: int, pairs: np.ndarray, shared_m: np.ndarray, *, contiguity: Contiguity = "rook"
) -> UnitAdjacency:
    """Build the symmetric matrix from (i, j) row-position pairs and their shared lengths."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    shared_m = np.asarray(shared_m, dtype=float)
    keep = pairs[:, 0] != pairs[:, 1]
    pairs, shared_m = pairs[keep], shared_m[keep]
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    data = np.concatenate([shared_m, shared_m])
    m = sparse.coo_matrix((data, (rows, cols)), shape=(n_units, n_units)).tocsr()
    m.sum_duplicates()
    # Duplicated pairs were summed twice; symmetric input pairs listed both ways are halved back.
    m = m.maximum(m.T).tocsr()
    m.sort_indices()
    return UnitAdjacency(matrix=m, contiguity=contiguity)


def unit_adjacency(
    units: gpd.GeoDataFrame, *, contiguity: Contiguity = "rook", snap_m: float = 0.0
) -> UnitAdjacency:
    """Adjacency of polygon units by shared boundary length.

    ``units`` must be in a metric CRS (lengths in metres). ``snap_m`` > 0 tolerates small gaps
    between neighbours drawn from different sources: a boundary stretch of one unit within
    ``snap_m`` of the other's boundary counts as shared.
    """
    _check_units(units, contiguity=contiguity, snap_m=snap_m)
    geoms = np.asarray(units.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)
    if snap_m > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=snap_m)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    once = left < right
    left, right = left[once], right[once]
    boundaries = shapely.boundary(geoms)
    if snap_m > 0:
        shared = shapely.intersection(boundaries[left], shapely.buffer(boundaries[right], snap_m))
    else:
        shared = shapely.intersection(boundaries[left], boundaries[right])
    length_m = shapely.length(shared)
    if contiguity == "rook":
        keep = length_m > 0
    else:
        keep = np.ones(len(left), dtype=bool)
        length_m = np.maximum(length_m, CORNER_LENGTH_M)
    pairs = np.column_stack([left[keep], right[keep]])
    return adjacency_from_pairs(len(units), pairs, length_m[keep], contiguity=contiguity)


def _check_units(units: gpd.GeoDataFrame, *, contiguity: str, snap_m: float) -> None:
    issues = ProblemCollector("units")
    if contiguity not in ("rook", "queen"):
        issues.add("contiguity", expected="'rook' or 'queen'", found=repr(contiguity),
                   fix="pass contiguity='rook' (shared edge) or 'queen' (edge or corner)")
    if snap_m < 0:
        issues.add("snap_m", expected="a tolerance >= 0 metres", found=str(snap_m),
                   fix="use 0 for exact topology, or a few metres for mixed sources")
    if units.crs is not None and not units.crs.is_projected:
        issues.add("crs", expected="a projected (metric) CRS", found=str(units.crs),
                   fix="reproject first, e.g. units.to_crs(units.estimate_utm_crs())")
    kinds = set(shapely.get_type_id(np.asarray(units.geometry.values, dtype=object)).tolist())
    if not kinds <= {3, 6}:
        issues.add("geometry", expected="Polygon or MultiPolygon units",
                   found=f"geometry type ids {sorted(kinds)}", fix="keep polygon units only")
    issues.raise_if_any("units cannot be used to build an adjacency")
