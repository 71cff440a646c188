"""Time profiles in the data's own zone, on REAL San José illegal-dumping reports (not Shanghai).

Before the fix every profile, peak window and week was counted in Asia/Shanghai whatever the
data: San José reports made at 10:00 local time read as 01:00 or 02:00 the next day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.incidents import load_incidents
from gridplan.errors import InvalidInputError
from gridplan.hotspot_study import HotspotStudyParams, study_hotspots
from gridplan.hotspots import CellParams, HotspotParams, analyse_hotspots

from .conftest import DATA, planted_incidents

SAN_JOSE = DATA / "san_jose_illegal_dumping.csv"
PACIFIC = "America/Los_Angeles"
COARSE = HotspotStudyParams(cells=CellParams(cell_size_m=400),
                            hotspots=HotspotParams(neighbour_distance_m=900))


def san_jose(tz: str = PACIFIC) -> gpd.GeoDataFrame:
    return load_incidents(SAN_JOSE, lon_col="lon", lat_col="lat", time_col="received_utc_ms",
                          category_col="category", id_col="id", tz=tz).frame


def study_area(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One jurisdiction: the box around the reports (the city's outline is not bundled)."""
    box = shapely.box(*incidents.total_bounds).buffer(0.005)
    return gpd.GeoDataFrame({"code": ["SJ"], "name": ["San José"]}, geometry=[box], crs=4326)


@pytest.fixture(scope="module")
def pacific_study():
    incidents = san_jose()
    return study_hotspots(study_area(incidents), incidents, params=COARSE)


def _profile_from_raw(ids: set[str]) -> np.ndarray:
    """(7, 24) counts straight from the export's UTC epoch milliseconds (no pandas zones)."""
    raw = pd.read_csv(SAN_JOSE)
    profile = np.zeros((7, 24), dtype=int)
    zone = ZoneInfo(PACIFIC)
    for ident, ms in zip(raw["id"].astype(str), raw["received_utc_ms"], strict=True):
        if ident in ids:
            local = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(zone)
            profile[local.weekday(), local.hour] += 1
    return profile


def test_profiles_are_counted_in_the_datas_zone_and_say_so(pacific_study):
    assert pacific_study.result.time_zone == PACIFIC
    assert pacific_study.to_dict()["time_zone"] == PACIFIC
    top = pacific_study.ranked_hotspots[0]
    assert top.incident_count >= 100
    used = pacific_study.result.incidents
    ids = set(used.loc[used["unit_id"].isin(top.unit_ids), "id"].astype(str))
    np.testing.assert_array_equal(top.profile, _profile_from_raw(ids))


def test_peak_windows_fall_in_local_office_hours(pacific_study):
    # 311 dumping reports are made by residents and crews in daytime, local clock
    for h in pacific_study.ranked_hotspots[:2]:
        day = h.profile[:, 6:19].sum() / h.profile.sum()
        assert day > 0.8, (h.peak.label, day)
        assert 6 <= h.peak.start_hour <= 12 and h.peak.contains_hour(11), h.peak.label


def test_a_zone_given_explicitly_moves_the_clock(pacific_study):
    incidents = san_jose()
    shanghai = study_hotspots(study_area(incidents), incidents, params=HotspotStudyParams(
        cells=COARSE.cells, hotspots=COARSE.hotspots.replace(tz="Asia/Shanghai")))
    assert shanghai.result.time_zone == "Asia/Shanghai"
    here, there = pacific_study.ranked_hotspots[0], shanghai.ranked_hotspots[0]
    assert here.unit_ids == there.unit_ids
    shift = (there.peak.start_hour - here.peak.start_hour) % 24
    assert shift in (15, 16)  # PDT / PST to China Standard Time


def test_naive_times_are_wall_clock_in_the_stated_zone(two_districts):
    incidents = planted_incidents(2)
    naive = incidents.assign(time=incidents["time"].dt.tz_localize(None))
    aware = analyse_hotspots(incidents, two_districts)
    wall = analyse_hotspots(naive, two_districts, params=HotspotParams(tz=PACIFIC))
    assert aware.time_zone == "Asia/Shanghai" and wall.time_zone == PACIFIC
    assert [h.peak.label for h in wall.hotspots] == [h.peak.label for h in aware.hotspots]


def test_an_unknown_zone_is_one_clear_problem(tmp_path):
    with pytest.raises(InvalidInputError) as err:
        HotspotParams(tz="Pacific/Atlantis")
    assert err.value.problems[0].where == "tz"
    with pytest.raises(InvalidInputError) as err:
        san_jose(tz="Mars/Base")
    assert "--tz" in err.value.problems[0].expected


def test_clock_times_at_a_daylight_saving_change_load(tmp_path):
    csv = tmp_path / "dst.csv"
    pd.DataFrame({"lon": [-121.9] * 3, "lat": [37.3] * 3,
                  "time": ["2021-11-07 01:30", "2021-03-14 02:30", "2021-07-01 10:00"]}
                 ).to_csv(csv, index=False)
    frame = load_incidents(csv, lon_col="lon", lat_col="lat", tz=PACIFIC).frame
    hours = [t.hour for t in frame["time"]]
    assert hours == [1, 3, 10]  # repeated hour: first occurrence; missing hour: the next one


def test_a_column_mixing_offsets_naive_times_and_garbage(tmp_path):
    csv = tmp_path / "mixed.csv"
    times = ["2021-07-01T10:00:00Z", "2021-07-01 10:00", "2021/07/01 10:00:00-04:00",
             "1625133600", "yesterday"]
    pd.DataFrame({"lon": [-121.9] * 5, "lat": [37.3] * 5, "time": times}).to_csv(csv, index=False)
    with pytest.raises(InvalidInputError) as err:
        load_incidents(csv, lon_col="lon", lat_col="lat", tz=PACIFIC)
    assert [p.where for p in err.value.problems] == ["row 6"]  # header is row 1
    good = csv.with_name("good.csv")
    pd.read_csv(csv).iloc[:4].to_csv(good, index=False)
    frame = load_incidents(good, lon_col="lon", lat_col="lat", tz=PACIFIC).frame
    assert [t.strftime("%H:%M %z") for t in frame["time"]] == [
        "03:00 -0700", "10:00 -0700", "07:00 -0700", "03:00 -0700"]
