from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PrincipalDep, SessionDep
from api.errors import COMMON_RESPONSES
from api.geo import to_geojson
from api.policy import check_zone
from api.routers.jurisdictions import get_or_404
from api.schemas.misc import ZonePublic
from api.zones import boundary_zone

router = APIRouter(prefix="/zones", tags=["boundary zones"], responses=COMMON_RESPONSES)


@router.get("/{code_a}/{code_b}", response_model=ZonePublic)
def read_zone(code_a: str, code_b: str, session: SessionDep, principal: PrincipalDep,
              zone_width_m: Annotated[float, Query(gt=0, le=5000)] = 50.0) -> ZonePublic:
    """The boundary zone (交界地带) shared by two neighbouring jurisdictions, clipped to the
    sides the caller may see (a joint viewer of the pair sees both; a planner only their own)."""
    sides = check_zone(principal, (code_a, code_b))
    a, b = get_or_404(session, code_a), get_or_404(session, code_b)
    zone = boundary_zone(a.code, a.geometry, b.code, b.geometry, zone_width_m=zone_width_m)
    return ZonePublic(pair=[a.code, b.code], zone_width_m=zone_width_m,
                      visible_sides=sorted(sides), border_length_m=round(zone.border_length_m, 1),
                      geometry=to_geojson(zone.visible(sides)))
