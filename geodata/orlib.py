"""Reader for J.E. Beasley's OR-Library p-median files (``pmed1.txt`` … ``pmed40.txt``).

Format: the first line holds ``n_vertices n_edges p``; then one undirected edge per line,
``i j cost`` with 1-based vertex ids. When an edge is listed more than once the LAST cost counts
(OR-Library's own note). Every vertex is both a client (weight 1) and a candidate site; the cost
matrix is the all-pairs shortest-path distance on the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import shortest_path

from gridplan.errors import InputFileError, ProblemCollector
from gridplan.facility import PMedianProblem


@dataclass(frozen=True, slots=True)
class PMedInstance:
    name: str
    n_vertices: int
    p: int
    edges: dict[tuple[int, int], float]  # 0-based (min, max) -> cost, last occurrence kept

    def distances(self) -> np.ndarray:
        """All-pairs shortest-path costs (n × n)."""
        if not self.edges:
            return np.where(np.eye(self.n_vertices, dtype=bool), 0.0, np.inf)
        (rows, cols), data = zip(*self.edges.keys(), strict=True), list(self.edges.values())
        graph = sparse.csr_matrix((data, (rows, cols)), shape=(self.n_vertices,) * 2)
        return shortest_path(graph, method="D", directed=False)

    def problem(self) -> PMedianProblem:
        """The p-median problem: every vertex a client of weight 1 and a candidate site."""
        return PMedianProblem.from_cost_matrix(self.distances(), self.p)


def read_pmed(path: str | Path) -> PMedInstance:
    """Parse one OR-Library ``pmedN.txt`` file; every problem in it is reported at once."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="ascii").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read {path}: {exc}") from exc
    issues = ProblemCollector(path.name)
    rows = [(k, line.split()) for k, line in enumerate(lines, 1) if line.strip()]
    if not rows or len(rows[0][1]) != 3 or not all(t.isdigit() for t in rows[0][1]):
        issues.add(
            "line 1",
            expected="'n_vertices n_edges p'",
            found=repr(lines[0] if lines else ""),
            fix="is this an OR-Library pmed file?",
        )
        issues.raise_if_any(error=InputFileError)
    n, m, p = (int(t) for t in rows[0][1])
    edges: dict[tuple[int, int], float] = {}
    for line_no, tokens in rows[1:]:
        edge = _parse_edge(tokens, n)
        if edge is None:
            issues.add(
                f"line {line_no}",
                expected=f"'i j cost' with 1 <= i, j <= {n}, cost >= 0",
                found=repr(" ".join(tokens)),
                fix="fix or delete the line",
            )
            continue
        i, j, cost = edge
        if i != j:
            edges[(min(i, j), max(i, j))] = cost
    if len(rows) - 1 != m:
        issues.add(
            "header",
            expected=f"{m} edge lines",
            found=f"{len(rows) - 1}",
            fix="the file may be truncated",
        )
    issues.raise_if_any(error=InputFileError)
    return PMedInstance(path.stem, n, p, edges)


def _parse_edge(tokens: list[str], n: int) -> tuple[int, int, float] | None:
    if len(tokens) != 3:
        return None
    try:
        i, j, cost = int(tokens[0]) - 1, int(tokens[1]) - 1, float(tokens[2])
    except ValueError:
        return None
    if not (0 <= i < n and 0 <= j < n and cost >= 0):
        return None
    return i, j, cost
