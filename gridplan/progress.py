"""The progress / cancellation protocol long-running engines accept.

Engines take two optional keyword arguments, ``progress=`` and ``should_cancel=``; the service's
job runner and the CLI's progress bar both plug into the same pair. Engines call
:func:`report` at natural checkpoints (per grid, per iteration), which raises :class:`Cancelled`
when the caller asked to stop, so a cancelled run stops at the next checkpoint and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from gridplan.errors import GridPlanError

#: ``progress(fraction, message)`` with ``fraction`` in [0, 1], non-decreasing over one run.
ProgressCallback = Callable[[float, str], None]
#: ``should_cancel()`` is True once the caller wants the work to stop.
ShouldCancel = Callable[[], bool]


class Cancelled(GridPlanError):
    """The caller asked the work to stop (cooperative cancellation)."""


def report(
    fraction: float,
    message: str = "",
    *,
    progress: ProgressCallback | None = None,
    should_cancel: ShouldCancel | None = None,
) -> None:
    """Tell the caller how far the work is, then stop here if it asked to cancel."""
    if should_cancel is not None and should_cancel():
        raise Cancelled(f"cancelled at {fraction:.0%}: {message}".rstrip(": "))
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), message)
