"""Reader for arc-routing benchmark files in Belenguer's CARPLIB format (Spanish keywords).

Two dialects share the layout ``KEY : value`` header lines followed by edge lists:

* CARP (gdb, val, egl, kshs, bmcv): ``( u, v)  coste C  demanda D`` under ``LISTA_ARISTAS_REQ``,
  ``( u, v)  coste C`` under ``LISTA_ARISTAS_NOREQ``, then ``DEPOSITO : d`` (read it: not always 1).
* Corberán's windy MM-kWRPP files: ``( u, v)  coste c_uv c_vu`` (two directional costs), no
  demand, no depot line (the depot is vertex 1). Windy costs are kept as they are (the solver works
  on directed shortest paths); a cost of 9999 or more marks a forbidden direction (a one-way arc).

Vertices are 1-based in the files and 0-based in :class:`gridplan.routing.ArcInstance`; the
instance keeps the file labels in ``vertex_labels``. Every problem in a file is reported at once
with its line number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from gridplan.errors import InputFileError, ProblemCollector
from gridplan.routing.arcroute_instance import ArcInstance

_HEADER = re.compile(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")
_EDGE = re.compile(
    r"^\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*coste\s+([-+0-9.eE]+)"
    r"(?:\s+([-+0-9.eE]+))?(?:\s+demanda\s+([-+0-9.eE]+))?\s*$"
)
_SECTIONS = {"LISTA_ARISTAS_REQ": "required", "LISTA_ARISTAS_NOREQ": "other"}
#: Costs at or above this value mark a forbidden direction in Corberán's windy files.
FORBIDDEN_COST = 9999.0


@dataclass(slots=True)
class FileEdge:
    """One edge line: 1-based vertices, directional costs, demand (0 when not required)."""

    u: int
    v: int
    cost_uv: float
    cost_vu: float
    demand: float
    line: int


@dataclass(slots=True)
class CarpFile:
    """The parsed contents of one file, before it becomes an :class:`ArcInstance`."""

    path: str
    name: str
    n_vertices: int
    depot: int  # 1-based, as in the file
    vehicles: int | None
    capacity: float | None
    required: list[FileEdge] = field(default_factory=list)
    other: list[FileEdge] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    #: Harmless inconsistencies (e.g. a COSTE_TOTAL_REQ that disagrees with the edge list, as in
    #: the original gdb12 file); reported, not fatal.
    notes: list[str] = field(default_factory=list)

    @property
    def is_windy(self) -> bool:
        return any(e.cost_uv != e.cost_vu for e in self.required + self.other)

    @property
    def total_required_cost(self) -> float:
        """Sum of the serving costs of required edges (``COSTE_TOTAL_REQ`` in CARP files)."""
        return sum(min(e.cost_uv, e.cost_vu) for e in self.required)

    def to_instance(self, *, capacity: float | None | str = "file") -> ArcInstance:
        """The instance; ``capacity="file"`` keeps the file's CAPACIDAD, ``None`` drops it."""
        edges = [
            (e.u - 1, e.v - 1, _cost(e.cost_uv), _cost(e.cost_vu))
            for e in self.required + self.other
        ]
        cap = self.capacity if capacity == "file" else capacity
        return ArcInstance.from_edges(
            self.n_vertices,
            edges,
            range(len(self.required)),
            depot=self.depot - 1,
            demand=[e.demand for e in self.required],
            capacity=cap,
            name=self.name,
            vertex_labels=range(1, self.n_vertices + 1),
        )


def _cost(value: float) -> float:
    return math.inf if value >= FORBIDDEN_COST else value


def read_carp(path: str | Path) -> CarpFile:
    """Parse a CARPLIB or MM-kWRPP file; raise :class:`InputFileError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from exc
    issues = ProblemCollector(str(path))
    header: dict[str, str] = {}
    header_line: dict[str, int] = {}
    lists: dict[str, list[FileEdge]] = {"required": [], "other": []}
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("END"):
            continue
        edge = _EDGE.match(line)
        if edge and section:
            lists[section].append(_file_edge(edge, number, section, issues))
            continue
        head = _HEADER.match(line)
        if head:
            key, value = head.groups()
            section = _SECTIONS.get(key)
            if key == "DEPOSITO":
                section = None
            header[key], header_line[key] = value, number
            continue
        issues.add(
            f"line {number}",
            expected="'KEY : value' or '( u, v) coste c [c_vu] [demanda d]'",
            found=repr(line[:60]),
            fix="repair the line or remove it",
        )
    carp = _assemble(path, header, header_line, lists, issues)
    issues.raise_if_any(f"{path.name}: not a usable CARPLIB file", error=InputFileError)
    return carp


def _file_edge(match: re.Match, number: int, section: str, issues: ProblemCollector) -> FileEdge:
    u, v, c1, c2, dem = match.groups()
    cost_uv = float(c1)
    cost_vu = float(c2) if c2 is not None else cost_uv
    demand = float(dem) if dem is not None else (1.0 if section == "required" else 0.0)
    if min(cost_uv, cost_vu) < 0 or demand < 0:
        issues.add(
            f"line {number}",
            expected="non-negative costs and demand",
            found=f"coste {c1} {c2 or ''} demanda {dem}",
            fix="correct the numbers",
        )
    if section == "required" and dem is not None and demand == 0:
        issues.add(
            f"line {number}",
            expected="a positive demand on a required edge",
            found="demanda 0",
            fix="move the edge to LISTA_ARISTAS_NOREQ",
        )
    return FileEdge(int(u), int(v), cost_uv, cost_vu, demand, number)


def _header_number(header, header_line, key, issues, *, required: bool) -> float | None:
    if key not in header:
        if required:
            issues.add(
                "header",
                expected=f"a '{key} : <number>' line",
                found="none",
                fix=f"add the {key} line",
            )
        return None
    found = re.match(r"^\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)", header[key])
    if not found:
        issues.add(
            f"line {header_line[key]}",
            expected=f"{key} : <number>",
            found=repr(header[key]),
            fix="write a number after the colon",
        )
        return None
    return float(found.group(1))


def _assemble(path, header, header_line, lists, issues) -> CarpFile:
    n = _header_number(header, header_line, "VERTICES", issues, required=True)
    n_vertices = int(n) if n else 0
    depot = _header_number(header, header_line, "DEPOSITO", issues, required=False)
    vehicles = _header_number(header, header_line, "VEHICULOS", issues, required=False)
    capacity = _header_number(header, header_line, "CAPACIDAD", issues, required=False)
    carp = CarpFile(
        path=str(path),
        name=header.get("NOMBRE", path.stem) or path.stem,
        n_vertices=n_vertices,
        depot=int(depot) if depot is not None else 1,
        vehicles=int(vehicles) if vehicles is not None else None,
        capacity=capacity,
        required=lists["required"],
        other=lists["other"],
        header=header,
    )
    _check_counts(carp, header, header_line, issues)
    for e in carp.required + carp.other:
        if n_vertices and not (1 <= e.u <= n_vertices and 1 <= e.v <= n_vertices):
            issues.add(
                f"line {e.line}",
                expected=f"vertices in 1..{n_vertices}",
                found=f"({e.u}, {e.v})",
                fix="check VERTICES or the edge line",
            )
    if n_vertices and not 1 <= carp.depot <= n_vertices:
        issues.add(
            f"line {header_line.get('DEPOSITO', 0)}",
            expected=f"a depot in 1..{n_vertices}",
            found=str(carp.depot),
            fix="correct DEPOSITO",
        )
    if capacity is not None:
        too_big = [e for e in carp.required if e.demand > capacity]
        for e in too_big:
            issues.add(
                f"line {e.line}",
                expected=f"demand <= CAPACIDAD {capacity:g}",
                found=f"demanda {e.demand:g}",
                fix="no vehicle can serve this edge",
            )
    return carp


def _check_counts(carp: CarpFile, header, header_line, issues) -> None:
    for key, edges in (("ARISTAS_REQ", carp.required), ("ARISTAS_NOREQ", carp.other)):
        declared = _header_number(header, header_line, key, issues, required=key == "ARISTAS_REQ")
        if declared is not None and int(declared) != len(edges):
            issues.add(
                f"line {header_line[key]}",
                expected=f"{int(declared)} edges as declared",
                found=f"{len(edges)} edge lines",
                fix=f"correct {key} or the edge list",
            )
    if not carp.required:
        issues.add(
            "LISTA_ARISTAS_REQ",
            expected="at least one required edge",
            found="none",
            fix="list the required edges after 'LISTA_ARISTAS_REQ :'",
        )
    total = _header_number(header, header_line, "COSTE_TOTAL_REQ", issues, required=False)
    if total is not None and carp.required and abs(total - carp.total_required_cost) > 1e-6:
        carp.notes.append(
            f"line {header_line['COSTE_TOTAL_REQ']}: COSTE_TOTAL_REQ {total:g} differs from the "
            f"sum of required costs {carp.total_required_cost:g}; the edge list is used"
        )


def load_instance(path: str | Path, *, capacity: float | None | str = "file") -> ArcInstance:
    """Read ``path`` and build its :class:`ArcInstance` (see :meth:`CarpFile.to_instance`)."""
    return read_carp(path).to_instance(capacity=capacity)
