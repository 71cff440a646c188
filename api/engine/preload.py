"""Imported by ``gridplan worker`` processes at start (``dask worker --preload``): the engines'
modules load once per worker, not during the first task."""

import gridplan.routing  # noqa: F401
import gridplan.slicing  # noqa: F401
