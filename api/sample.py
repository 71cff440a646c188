"""The sample data ``gridplan serve`` starts with.

Uses the lead's bundled ``geodata.sample`` when it is there; until then (development only) the
Huangpu and Jing'an polygons from ../shared/data/cn-admin-districts.
"""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import shape

from api.db.models import Jurisdiction
from gridplan.model import JurisdictionLevel

_DEV_DISTRICTS = Path(__file__).resolve().parents[2] / "shared/data/cn-admin-districts/districts_wgs84.geojson"


def sample_jurisdictions() -> list[Jurisdiction]:
    try:
        from geodata import sample  # type: ignore[attr-defined]

        frame = sample.jurisdictions().to_crs("EPSG:4326")
        return [Jurisdiction(code=str(r.code), name=str(r.name), level=int(r.level),
                             parent_code=getattr(r, "parent_code", None) or None,
                             geometry=r.geometry) for r in frame.itertuples()]
    except (ImportError, AttributeError):
        pass
    features = json.loads(_DEV_DISTRICTS.read_text())["features"]
    wanted = ("黄浦", "静安", "Huangpu", "Jing")
    out = []
    for f in features:
        props = f["properties"]
        name = str(props.get("name", ""))
        if any(w in name for w in wanted):
            code = str(props.get("adcode") or props.get("code"))
            out.append(Jurisdiction(code=code, name=name, level=int(JurisdictionLevel.DISTRICT),
                                    parent_code=None, geometry=shape(f["geometry"])))
    return out
