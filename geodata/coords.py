"""Chinese coordinate systems: GCJ-02 ("Mars", Amap/Tencent) and BD-09 (Baidu) ↔ WGS-84.

Chinese platforms export points in GCJ-02 or BD-09, 100–700 m off the WGS-84 datum OpenStreetMap
uses. The forward transforms are the published obfuscation formulas; the inverses solve
``forward(w) = g`` by fixed-point iteration, which converges because the offset varies slowly
(its derivative is ~1e-5), giving errors far below a millimetre. CGCS2000 (EPSG:4490) differs
from WGS-84 by centimetres at patrol scale and is treated as WGS-84.

All functions take and return numpy arrays (or scalars) of longitudes and latitudes in degrees.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

CoordSystem = Literal["wgs84", "gcj02", "bd09", "cgcs2000"]
COORD_SYSTEMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09", "cgcs2000")

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323  # its first eccentricity squared
_BD_K = np.pi * 3000.0 / 180.0

Array = NDArray[np.float64]


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """The rough rectangle inside which the GCJ-02 offset is applied (outside it is zero)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_K)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward, lon: ArrayLike, lat: ArrayLike, *, tol_deg: float = 1e-11, max_iter: int = 50
) -> tuple[Array, Array]:
    """Solve forward(x) = (lon, lat) by fixed-point iteration x ← x − (forward(x) − target)."""
    tlon, tlat = np.asarray(lon, float), np.asarray(lat, float)
    xlon, xlat = tlon.copy(), tlat.copy()
    for _ in range(max_iter):
        flon, flat = forward(xlon, xlat)
        elon, elat = flon - tlon, flat - tlat
        xlon, xlat = xlon - elon, xlat - elat
        if np.all(np.abs(elon) < tol_deg) and np.all(np.abs(elat) < tol_deg):
            break
    return xlon, xlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return _invert(wgs84_to_bd09, lon, lat)


def to_wgs84(lon: ArrayLike, lat: ArrayLike, *, coords: str) -> tuple[Array, Array]:
    """Convert points given in ``coords`` (one of :data:`COORD_SYSTEMS`) to WGS-84 degrees."""
    if coords in ("wgs84", "cgcs2000"):
        return np.asarray(lon, float), np.asarray(lat, float)
    if coords == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if coords == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown coordinate system {coords!r}; expected one of {COORD_SYSTEMS}")


def from_wgs84(lon: ArrayLike, lat: ArrayLike, *, coords: str) -> tuple[Array, Array]:
    """Convert WGS-84 degrees to ``coords`` (e.g. to draw on GCJ-02 tiles)."""
    if coords in ("wgs84", "cgcs2000"):
        return np.asarray(lon, float), np.asarray(lat, float)
    if coords == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if coords == "bd09":
        return wgs84_to_bd09(lon, lat)
    raise ValueError(f"unknown coordinate system {coords!r}; expected one of {COORD_SYSTEMS}")


def transform_geometry(geom, *, src: str, dst: str):
    """Apply the datum shift to every vertex of a shapely geometry (lon/lat degrees)."""
    import shapely

    if src == dst or {src, dst} <= {"wgs84", "cgcs2000"}:
        return geom

    def shift(xy: Array) -> Array:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], coords=src)
        lon, lat = from_wgs84(lon, lat, coords=dst)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, shift)
