"""Run one library function over many inputs on the engine, losing and repeating nothing.

A :class:`Task` names the function (any importable function of the library, e.g.
:func:`gridplan.routing.plan_grid`), its small arguments (sent with the task) and its large
inputs (``shared``: a grid's street network slice, a district's incidents…), which are scattered
to the cluster once per object — a slice used by three shifts travels once, and no task carries
the whole city.

Failures: a worker that dies takes its running tasks and the data it held with it. Dask itself
re-runs a task whose worker died when its inputs still exist; when they are gone too (the only
copy of a scattered slice was on the dead worker) the task is cancelled or marked as killed, and
:func:`run_batch` scatters the inputs again and resubmits just those tasks. Results are kept by
task key, first result wins, so a task is never counted twice. An exception raised by the
function itself (bad input, infeasible plan) is not retried: it is the answer, and it is raised.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Any

from gridplan.errors import GridPlanError
from gridplan.progress import ProgressCallback, report

DEFAULT_ATTEMPTS = 4


class EngineError(GridPlanError):
    """The engine lost a task more often than it may retry it."""


@dataclass(frozen=True)
class Task:
    """``function(**kwargs, **shared)`` as one unit of work, identified by ``key``."""

    key: str
    function: Callable[..., Any]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    shared: Mapping[str, Any] = field(default_factory=dict)


def call(function: Callable[..., Any], kwargs: Mapping[str, Any], **shared: Any) -> Any:
    """What a worker runs: the library function on its arguments (scattered inputs resolved)."""
    return function(**kwargs, **shared)


def _lost(exc: BaseException) -> bool:
    """True when ``exc`` says the engine lost the task, not that the function failed."""
    from distributed.scheduler import KilledWorker

    return isinstance(exc, CancelledError | KilledWorker)


def _scatter(client: Any, tasks: Iterable[Task]) -> dict[int, Any]:
    """Each distinct shared object scattered once: ``id(object) -> future``."""
    distinct: dict[int, Any] = {}
    for task in tasks:
        for value in task.shared.values():
            distinct.setdefault(id(value), value)
    ids = list(distinct)
    futures = client.scatter([distinct[i] for i in ids], hash=False) if ids else []
    return dict(zip(ids, futures, strict=True))


def _submit(client: Any, tasks: Sequence[Task], run: str) -> dict[Any, Task]:
    scattered = _scatter(client, tasks)
    submitted = {}
    for task in tasks:
        shared = {name: scattered[id(value)] for name, value in task.shared.items()}
        future = client.submit(call, task.function, dict(task.kwargs), **shared,
                               key=f"gridplan-{task.key}-{run}", pure=False)
        submitted[future] = task
    return submitted


def run_batch(client: Any, tasks: Sequence[Task], *, attempts: int = DEFAULT_ATTEMPTS,
              progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Every task's result by key. Lost tasks are resubmitted (up to ``attempts`` rounds); the
    first exception a function raises is raised here after the other tasks are cancelled."""
    from distributed import as_completed

    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique")
    results: dict[str, Any] = {}
    todo = list(tasks)
    run = uuid.uuid4().hex[:8]
    for attempt in range(attempts):
        submitted = _submit(client, todo, f"{run}-{attempt}")
        lost: list[Task] = []
        for future in as_completed(list(submitted), loop=client.loop):
            task = submitted[future]
            done, value = _outcome(future)
            if done:
                results.setdefault(task.key, value)
                report(len(results) / len(tasks), task.key, progress=progress)
            elif value is None:  # the engine lost it: run it again
                lost.append(task)
            else:
                client.cancel(list(submitted))
                raise value
        todo = [t for t in lost if t.key not in results]
        if not todo:
            return {key: results[key] for key in keys}
    raise EngineError(f"{len(todo)} task(s) lost on {attempts} attempts", [])


def _outcome(future: Any) -> tuple[bool, Any]:
    """``(True, result)``; ``(False, exception)`` when the function raised; ``(False, None)``
    when the engine lost the task (its worker died, its inputs went with it, it was cancelled)."""
    if future.status == "error":
        exc = future.exception()
        return False, None if _lost(exc) else exc
    if future.status != "finished":
        return False, None
    try:
        return True, future.result()
    except (CancelledError, OSError):  # finished, but its worker died before we fetched it
        return False, None
