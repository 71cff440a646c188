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

import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Any

from gridplan.errors import GridPlanError
from gridplan.progress import ProgressCallback, report

DEFAULT_ATTEMPTS = 4
SCATTER_ATTEMPTS = 6


class EngineError(GridPlanError):
    """The engine lost a task more often than it may retry it."""


@dataclass(frozen=True)
class Task:
    """``function(**kwargs, **shared)`` as one unit of work, identified by ``key``. A ``None``
    in ``shared`` (an input this task lacks) is passed as is, not scattered."""

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


class _Inputs:
    """Shared inputs on the cluster: each object scattered once, released after its last task,
    scattered again if the worker holding it died."""

    def __init__(self, client: Any, tasks: Iterable[Task]) -> None:
        self.client = client
        self.users = Counter(id(v) for t in tasks for v in t.shared.values() if v is not None)
        self.futures: dict[int, Any] = {}

    def of(self, task: Task) -> dict[str, Any]:
        out = {}
        for name, value in task.shared.items():
            if value is None:
                out[name] = None
                continue
            future = self.futures.get(id(value))
            if future is None or future.status != "finished":
                future = self.futures[id(value)] = self._scatter(value)
            out[name] = future
        return out

    def _scatter(self, value: Any) -> Any:
        """Scatter, again if the chosen worker just died (the scheduler notices a moment later)."""
        for attempt in range(SCATTER_ATTEMPTS):
            try:
                return self.client.scatter(value, hash=False)
            except OSError:  # CommClosedError: the target worker is gone
                if attempt == SCATTER_ATTEMPTS - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def done_with(self, task: Task) -> None:
        for value in task.shared.values():
            if value is None:
                continue
            self.users[id(value)] -= 1
            if self.users[id(value)] == 0:
                self.futures.pop(id(value), None)  # released: its worker may free it


def run_batch(client: Any, tasks: Sequence[Task], *, attempts: int = DEFAULT_ATTEMPTS,
              window: int | None = None, progress: ProgressCallback | None = None
              ) -> dict[str, Any]:
    """Every task's result by key. At most ``window`` tasks (default: twice the cluster's
    threads) are on the cluster at once, so a worker holds a few slices, not its share of the
    city. A lost task is submitted again (at most ``attempts`` times in all); the first
    exception a function raises is raised here after the other tasks are cancelled."""
    from distributed import as_completed

    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique")
    window = window or max(2, 2 * sum(client.nthreads().values()))
    inputs, pending = _Inputs(client, tasks), deque(tasks)
    tries: Counter[str] = Counter()
    results: dict[str, Any] = {}
    in_flight: dict[Any, Task] = {}
    running = as_completed([], loop=client.loop)
    run = uuid.uuid4().hex[:8]

    def launch() -> None:
        while pending and len(in_flight) < window:
            task = pending.popleft()
            tries[task.key] += 1
            future = client.submit(call, task.function, dict(task.kwargs), **inputs.of(task),
                                   key=f"gridplan-{task.key}-{run}-{tries[task.key]}",
                                   pure=False)
            in_flight[future] = task
            running.add(future)

    launch()
    for future in running:
        task = in_flight.pop(future)
        done, value = _outcome(future)
        if done:
            results.setdefault(task.key, value)
            inputs.done_with(task)
            report(len(results) / len(tasks), task.key, progress=progress)
        elif value is not None:  # the function's own error: the batch's answer
            client.cancel(list(in_flight))
            raise value
        elif tries[task.key] >= attempts:
            client.cancel(list(in_flight))
            raise EngineError(f"task {task.key} lost on {attempts} attempts", [])
        else:  # the engine lost it (worker died): once more, elsewhere
            pending.append(task)
        launch()
    return {key: results[key] for key in keys}


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
