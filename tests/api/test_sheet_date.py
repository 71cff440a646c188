"""The web meeting sheet prints the day its joint plan was made, in the pair's time zone —
not the day someone happens to download it."""

from __future__ import annotations

import datetime as dt

from api.web.sheet import plan_date


def test_the_sheet_is_dated_by_the_plan_in_its_time_zone():
    evening_utc = dt.datetime(2026, 11, 25, 17, 30)  # stored naive, UTC
    assert plan_date({"time_zone": "Asia/Shanghai"}, evening_utc) == dt.date(2026, 11, 26)
    assert plan_date({"time_zone": "America/Los_Angeles"}, evening_utc) == dt.date(2026, 11, 25)
    aware = evening_utc.replace(tzinfo=dt.UTC)
    assert plan_date({}, aware) == dt.date(2026, 11, 26)  # default zone: Asia/Shanghai
