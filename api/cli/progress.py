"""A terminal progress bar for long work, speaking :mod:`gridplan.progress`'s protocol.

    with progress_bar("planning routes") as bar:
        result = engine(..., progress=bar.progress, should_cancel=bar.should_cancel)

Ctrl-C during the work sets the cancel flag instead of killing the process, so the engine stops at
its next checkpoint (raising :class:`gridplan.progress.Cancelled`) and leaves nothing half-done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

TOTAL = 1000  # the bar counts in thousandths: fractions in [0, 1] map onto it


@dataclass
class ProgressBar:
    """``progress(fraction, message)`` and ``should_cancel()`` bound to one rich task."""

    _rich: Progress
    _task: TaskID
    _cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, fraction: float, message: str = "") -> None:
        done = round(min(1.0, max(0.0, fraction)) * TOTAL)
        self._rich.update(self._task, completed=done, status=message[:60])

    def should_cancel(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


@contextmanager
def progress_bar(description: str, *, transient: bool = False,
                 **progress_options: Any) -> Iterator[ProgressBar]:
    """Show a bar while the block runs; Ctrl-C asks the work to stop (a second one kills)."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
               TextColumn("{task.fields[status]}"))
    with Progress(*columns, transient=transient, **progress_options) as rich:
        bar = ProgressBar(rich, rich.add_task(description, total=TOTAL, status=""))
        previous = _install_cancel_on_interrupt(bar)
        try:
            yield bar
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)


def _install_cancel_on_interrupt(bar: ProgressBar) -> Any:
    if threading.current_thread() is not threading.main_thread():
        return None  # signals belong to the main thread; elsewhere only bar.cancel() stops

    def interrupted(signum: int, frame: Any) -> None:
        if bar.should_cancel():
            raise KeyboardInterrupt
        bar.cancel()

    return signal.signal(signal.SIGINT, interrupted)
