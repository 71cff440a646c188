"""The execution engine: Dask distributed runs the heavy work of the CLI's batches and the
service's jobs, on an embedded local cluster or on a real one (``--scheduler ADDRESS`` /
``GRIDPLAN_SCHEDULER``).

* :mod:`api.engine.cluster` — connecting: a scheduler address or an embedded ``LocalCluster`` of
  worker processes sized to the machine.
* :mod:`api.engine.batch` — running any library function over many inputs: large inputs
  scattered once, results keyed by task, tasks on a lost worker run again (never twice kept).
* :mod:`api.engine.routes` — ``routes --all`` / ``--week``: every grid (and day) planned on its
  own slice of the city.
* :mod:`api.engine.redesign` — ``grids redesign --each-district``: one redesign per district.
* :mod:`api.engine.hotspots` — ``hotspots --pairs``: one boundary study per pair of neighbours.
* :mod:`api.engine.jobs` — the service's jobs executed on workers, with leases.

Nothing here computes: the library (``gridplan``) does, on the workers.
"""
