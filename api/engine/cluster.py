"""Connecting to the execution engine: a Dask scheduler, or an embedded local cluster.

The address comes from ``--scheduler`` or ``GRIDPLAN_SCHEDULER`` (``tcp://host:8786``). Without
one, an embedded ``LocalCluster`` of worker *processes* starts — one single-threaded worker per
core by default (the planning engines hold the GIL; threads would not run them in parallel) —
and stops with the command. ``workers=0`` runs nothing on an engine: the caller computes in its
own process (the reference for "same results as a single-process run").
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEDULER_ENV = "GRIDPLAN_SCHEDULER"


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: ``given``, else ``$GRIDPLAN_SCHEDULER``, else None (embedded)."""
    return given or os.environ.get(SCHEDULER_ENV) or None


def local_workers(requested: int | None) -> int:
    """Worker processes of an embedded cluster: ``requested``, else one per usable core."""
    if requested is not None:
        return max(0, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def engine_client(address: str | None = None, *, workers: int | None = None,
                  processes: bool = True, memory_limit: str | int = "auto") -> Iterator[Any]:
    """A ``distributed.Client`` on ``address``, or on an embedded cluster of ``workers`` worker
    processes (``processes=False``: threads of this process, for tests only); closed on exit."""
    from distributed import Client, LocalCluster

    if address:
        client = Client(address, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=local_workers(workers) or 1, threads_per_worker=1,
                           processes=processes, dashboard_address="127.0.0.1:0",
                           memory_limit=memory_limit, silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
