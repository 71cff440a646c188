"""Compilation set-up for the arc-routing kernels: numba, cached on disk, one switch.

The kernels are plain Python over numpy arrays, compiled by numba (LLVM) on first use and cached
(``cache=True``) so later processes load machine code instead of compiling. numba writes its cache
next to the source when it can; when the installed package is read-only we point it at a
writable folder (``$NUMBA_CACHE_DIR`` if set, else ``$GRIDPLAN_CACHE_DIR/numba``, else
``~/.cache/gridplan/numba``, else the temporary directory).

``NUMBA_DISABLE_JIT=1`` runs exactly the same code as plain Python (same algorithm, same seeded
moves, same results; a few hundred times slower) — useful for debugging and coverage.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _cache_dir() -> str | None:
    """A writable cache folder when numba's default (beside the source) is not writable."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None  # the user chose
    if _writable(Path(__file__).parent / "__pycache__"):
        return None  # numba's default works
    candidates = []
    if os.environ.get("GRIDPLAN_CACHE_DIR"):
        candidates.append(Path(os.environ["GRIDPLAN_CACHE_DIR"]) / "numba")
    candidates += [Path.home() / ".cache" / "gridplan" / "numba",
                   Path(tempfile.gettempdir()) / "gridplan-numba"]
    return next((str(c) for c in candidates if _writable(c)), None)


_fallback = _cache_dir()
if _fallback is not None:
    numba.config.CACHE_DIR = _fallback


def jit(function: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``function`` in nopython mode, cached on disk, releasing the GIL."""
    return numba.njit(cache=True, nogil=True)(function)

