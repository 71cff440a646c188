"""The engine's CLI side: ``--scheduler`` / ``--workers`` for batch commands, ``gridplan worker``.

Batch commands run on a Dask scheduler when given one (``--scheduler tcp://host:8786`` or
``GRIDPLAN_SCHEDULER``), else on an embedded cluster of ``--workers`` processes (default one per
core); ``--workers 0`` computes in this process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from api.engine.cluster import SCHEDULER_ENV


def engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--scheduler`` and ``--workers`` (parameters ``scheduler``, ``workers``)."""

    @click.option("--scheduler", envvar=SCHEDULER_ENV, metavar="ADDRESS",
                  help=f"Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 [${SCHEDULER_ENV}; "
                       "default: an embedded local cluster].")
    @click.option("--workers", type=click.IntRange(min=0),
                  help="Worker processes of the embedded cluster [default: one per core; "
                       "0: compute in this process].")
    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapped


@contextmanager
def batch_engine(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client for a batch, or None to compute in this process (``workers == 0``)."""
    from api.engine.cluster import engine_client, scheduler_address

    address = scheduler_address(scheduler)
    if address is None and workers == 0:
        yield None
        return
    with engine_client(address, workers=workers) as client:
        yield client


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("scheduler", envvar=SCHEDULER_ENV)
@click.option("--nworkers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes to start (one thread each: the engines hold the GIL).")
@click.option("--name", default=None, help="Worker name shown by the scheduler.")
@click.option("--memory-limit", default="auto", show_default=True,
              help="Per-process memory limit (e.g. 4GiB); a worker over it is restarted.")
def worker(scheduler: str, nworkers: int, name: str | None, memory_limit: str) -> None:
    """Join a Dask scheduler as a gridplan worker (plans grids, runs the service's jobs).

    Any ``dask worker`` that can import gridplan works the same; this one starts with one thread
    per process and gridplan's modules imported up front.
    """
    from distributed.cli.dask_worker import main as dask_worker

    args = [scheduler, "--nworkers", str(nworkers), "--nthreads", "1",
            "--memory-limit", memory_limit, "--preload", "api.engine.preload"]
    if name:
        args += ["--name", name]
    dask_worker.main(args=args, prog_name="gridplan worker", standalone_mode=True)
