"""Boundary zones (交界地带) for the service: WGS-84 in and out around :mod:`gridplan.boundary`.

The service stores WGS-84; :func:`gridplan.boundary.boundary_zone` works in metres. This adapter
projects the pair to a local azimuthal equidistant projection centred on it (true metres
anywhere), calls the one boundary-zone implementation, and projects the two sides back, so a
joint viewer's scope can be clipped to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyproj
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from gridplan.boundary import ZoneParams
from gridplan.boundary import boundary_zone as metric_boundary_zone
from gridplan.errors import InvalidInputError, Problem


@dataclass(frozen=True, slots=True)
class ZoneView:
    sides: dict[str, BaseGeometry]  # code -> that jurisdiction's side of the zone (WGS-84)
    border_length_m: float
    zone_width_m: float

    def visible(self, codes: frozenset[str]) -> BaseGeometry:
        """The zone clipped to the sides in ``codes`` (what a caller with that scope may see)."""
        return unary_union([g for code, g in self.sides.items() if code in codes])


def project(geometry: BaseGeometry, transformer: pyproj.Transformer) -> BaseGeometry:
    """``geometry`` with every coordinate passed through ``transformer`` (x/y order)."""
    return shapely.transform(geometry, lambda x, y: transformer.transform(x, y), interleaved=False)


def _local_projection(
    a: BaseGeometry, b: BaseGeometry
) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    centre = unary_union([a.envelope, b.envelope]).centroid
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +units=m")
    forward = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return forward, back


def boundary_zone(a_code: str, a: BaseGeometry, b_code: str, b: BaseGeometry, *,
                  zone_width_m: float = 50.0) -> ZoneView:
    """Zone shared by jurisdictions ``a`` and ``b`` (WGS-84 polygons), ``zone_width_m`` each side."""
    if not 0 < zone_width_m <= 5000:
        raise InvalidInputError("bad zone width", [Problem(
            "zone_width_m", "", "0 < width ≤ 5000 metres", str(zone_width_m),
            "joint patrol practice uses 50 m each side")])
    forward, back = _local_projection(a, b)
    zone = metric_boundary_zone(a_code, project(a, forward), b_code, project(b, forward),
                                params=ZoneParams(zone_width_m=zone_width_m))
    if zone.is_empty:
        raise InvalidInputError("not neighbours", [Problem(
            "zone", f"{a_code}/{b_code}", "two jurisdictions that share a boundary",
            zone.explanation, "pick two neighbouring jurisdictions")])
    return ZoneView(sides={code: project(side, back) for code, side in zone.sides().items()},
                    border_length_m=zone.shared_length_m, zone_width_m=zone_width_m)
