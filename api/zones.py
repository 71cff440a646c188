"""Boundary zones (交界地带) between two neighbouring jurisdictions, on WGS-84 input.

The zone is every point of either jurisdiction within ``zone_width_m`` of the other one (joint
patrol practice covers 50 m each side of the line). Distances are computed in a local azimuthal
equidistant projection centred on the pair, so widths are true metres anywhere.

TODO(lead): move the metric core to ``gridplan.boundary`` when that module lands; the service
only needs ``boundary_zone``'s signature.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyproj
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from gridplan.errors import InvalidInputError, Problem


@dataclass(frozen=True, slots=True)
class BoundaryZone:
    sides: dict[str, BaseGeometry]  # code -> that jurisdiction's side of the zone (WGS-84)
    border_length_m: float
    zone_width_m: float

    def visible(self, codes: frozenset[str]) -> BaseGeometry:
        """The zone clipped to the sides in ``codes`` (what a caller with that scope may see)."""
        return unary_union([g for code, g in self.sides.items() if code in codes])


def project(geometry: BaseGeometry, transformer: pyproj.Transformer) -> BaseGeometry:
    """``geometry`` with every coordinate passed through ``transformer`` (x/y order)."""
    return shapely.transform(geometry, lambda x, y: transformer.transform(x, y), interleaved=False)


def _local_projection(a: BaseGeometry, b: BaseGeometry) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    centre = unary_union([a.envelope, b.envelope]).centroid
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +units=m")
    forward = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return forward, back


def boundary_zone(a_code: str, a: BaseGeometry, b_code: str, b: BaseGeometry, *,
                  zone_width_m: float = 50.0) -> BoundaryZone:
    """Zone shared by jurisdictions ``a`` and ``b`` (WGS-84 polygons), ``zone_width_m`` each side."""
    if not 0 < zone_width_m <= 5000:
        raise InvalidInputError("bad zone width", [Problem(
            "zone_width_m", "", "0 < width ≤ 5000 metres", str(zone_width_m),
            "joint patrol practice uses 50 m each side")])
    forward, back = _local_projection(a, b)
    am, bm = project(a, forward), project(b, forward)
    if am.distance(bm) > zone_width_m:
        raise InvalidInputError("not neighbours", [Problem(
            "zone", f"{a_code}/{b_code}", f"jurisdictions within {zone_width_m} m of each other",
            f"{am.distance(bm):.0f} m apart", "pick two neighbouring jurisdictions")])
    a_side = am.intersection(bm.buffer(zone_width_m)).difference(bm)
    b_side = bm.intersection(am.buffer(zone_width_m)).difference(am)
    border = am.boundary.intersection(bm.buffer(1.0))
    return BoundaryZone(
        sides={a_code: project(a_side, back), b_code: project(b_side, back)},
        border_length_m=float(border.length), zone_width_m=zone_width_m)
