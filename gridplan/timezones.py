"""Time zones: the one place a zone name is checked (shifts, incidents, hotspot profiles)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridplan.errors import InvalidInputError, Problem

#: where gridplan's users work, unless the data or the caller says otherwise
DEFAULT_TZ = "Asia/Shanghai"


def is_time_zone(name: object) -> bool:
    """True for an IANA zone name (``Asia/Shanghai``, ``America/Los_Angeles``, ``UTC``)."""
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def time_zone(name: object, *, source: str = "tz") -> ZoneInfo:
    """``ZoneInfo(name)`` or one clear error."""
    if not is_time_zone(name):
        raise InvalidInputError(f"{source}: unknown time zone", [Problem(
            source, "", "an IANA time zone, e.g. Asia/Shanghai", repr(name),
            "use the zone of the city, e.g. Asia/Shanghai or America/Los_Angeles")])
    return ZoneInfo(str(name))
