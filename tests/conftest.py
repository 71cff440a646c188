"""Shared fixtures: the bundled sample (loaded once per session, cache in a temp dir)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Keep the network cache of the test run out of the user's home."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDPLAN_CACHE_DIR", str(tmp_path_factory.mktemp("gridplan-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def sample_walk():
    from geodata import sample

    return sample.network("walk")


@pytest.fixture(scope="session")
def sample_drive():
    from geodata import sample

    return sample.network("drive")
