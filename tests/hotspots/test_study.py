"""The one hotspot workflow: parameters from one TOML file, any CRS in, progress and cancel."""

from __future__ import annotations

import pytest

from gridplan.errors import InvalidInputError
from gridplan.hotspot_study import HotspotStudyParams, study_hotspots
from gridplan.hotspots import CellParams, HotspotParams
from gridplan.joint import JointParams
from gridplan.progress import Cancelled

from .conftest import planted_incidents

TOML = """
[hotspots]
neighbour_distance_m = 300
[cells]
cell_size_m = 120
[joint]
cadence_weeks = 6
night_hours = [21, 5]
"""


def test_every_set_from_one_toml_file():
    params = HotspotStudyParams.from_toml(TOML)
    assert params.hotspots == HotspotParams(neighbour_distance_m=300)
    assert params.cells == CellParams(cell_size_m=120)
    assert params.joint == JointParams(cadence_weeks=6, night_hours=(21, 5))
    assert HotspotStudyParams.from_sets({type(p): p for p in (params.hotspots, params.cells,
                                                               params.joint)}) == params
    assert params.to_dict()["joint"]["night_hours"] == [21, 5]
    with pytest.raises(InvalidInputError, match="unknown tables"):
        HotspotStudyParams.from_toml("[hotspot]\nfdr = false\n")


def test_any_crs_in_the_same_study_out(two_districts):
    incidents = planted_incidents(4)
    metric = study_hotspots(two_districts, incidents, boundary=True).to_dict()
    lonlat = study_hotspots(two_districts.to_crs(4326), incidents.to_crs(4326),
                            boundary=True).to_dict()
    assert [h["incidents"] for h in lonlat["hotspots"]] == [h["incidents"]
                                                            for h in metric["hotspots"]]
    # projected again to its own UTM zone: lengths agree to the projections' scale error
    assert lonlat["boundary"]["zones"][0]["shared_length_m"] == pytest.approx(2000, rel=0.01)
    with pytest.raises(InvalidInputError, match="never assumed"):
        study_hotspots(two_districts, incidents.set_crs(None, allow_override=True))


def test_progress_is_reported_and_cancel_is_honoured(two_districts):
    seen: list[float] = []
    study_hotspots(two_districts, planted_incidents(4), boundary=True,
                   progress=lambda f, _: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0
    with pytest.raises(Cancelled):
        study_hotspots(two_districts, planted_incidents(4), should_cancel=lambda: True)


def test_a_long_trend_step_stops_between_blocks_of_weeks(two_districts, monkeypatch):
    import gridplan.hotspots.temporal as temporal

    monkeypatch.setattr(temporal, "GI_BLOCK_VALUES", 1)  # one week per block
    calls = []

    def cancel_in_the_trend_step() -> bool:
        calls.append(1)
        return len(calls) > 4  # past the study's own checkpoints, inside the weekly blocks

    with pytest.raises(Cancelled, match="weekly trends"):
        study_hotspots(two_districts, planted_incidents(4),
                       should_cancel=cancel_in_the_trend_step)
