"""The one errors module of gridplan.

Every error subclasses a built-in so callers can catch it the usual way, and carries a list of
:class:`Problem` records: a planner fixing a file wants every problem at once, each saying where
(file, row or feature), what was expected, what was found and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, phrased for the person who has to fix it."""

    source: str  # file name, parameter name or object kind
    where: str  # "row 17", "feature 310101", "edge (12, 40)", "" for the whole source
    expected: str
    found: str
    fix: str

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return (
            f"{self.source}{where}: expected {self.expected}; found {self.found}. Fix: {self.fix}"
        )


class GridPlanError(Exception):
    """Base class of every error gridplan raises on purpose."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(message)

    def report(self) -> str:
        """The message followed by every problem, one per line."""
        lines = [str(self.args[0])]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


class InvalidInputError(GridPlanError, ValueError):
    """An input file, table, geometry or parameter is not usable as given."""


class InputFileError(InvalidInputError, FileNotFoundError):
    """A file is missing, unreadable or not in the format its name claims."""


class InfeasibleError(GridPlanError, RuntimeError):
    """The inputs are well formed but no plan satisfies the constraints (e.g. headcount too low)."""


class ProblemCollector:
    """Collects problems while validating, then raises once with all of them.

    Usage::

        issues = ProblemCollector("incidents.csv")
        issues.add("row 3", expected="a time", found="'yesterday'", fix="use ISO 8601")
        issues.raise_if_any("incidents.csv has 1 problem")
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(
        self, where: str, *, expected: str, found: str, fix: str, source: str | None = None
    ) -> None:
        self.problems.append(Problem(source or self.source, where, expected, found, fix))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(
        self, message: str | None = None, *, error: type[GridPlanError] = InvalidInputError
    ) -> None:
        if self.problems:
            n = len(self.problems)
            text = message or f"{self.source}: {n} problem{'s' if n != 1 else ''} found"
            raise error(text, self.problems)
