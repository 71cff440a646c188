import numpy as np
import pytest

from geodata import coords

R_EARTH_M = 6371008.8


def metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R_EARTH_M * np.arcsin(np.sqrt(a))


@pytest.fixture
def china_lattice():
    lon, lat = np.meshgrid(np.linspace(73.5, 134.5, 123), np.linspace(18.0, 53.5, 72))
    return lon.ravel(), lat.ravel()


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_round_trip_under_half_metre_across_china(china_lattice, system):
    lon, lat = china_lattice
    fwd_lon, fwd_lat = coords.from_wgs84(lon, lat, coords=system)
    back_lon, back_lat = coords.to_wgs84(fwd_lon, fwd_lat, coords=system)
    assert metres(lon, lat, back_lon, back_lat).max() < 0.5
    # and the other way round: platform point -> WGS-84 -> platform point
    w_lon, w_lat = coords.to_wgs84(lon, lat, coords=system)
    again_lon, again_lat = coords.from_wgs84(w_lon, w_lat, coords=system)
    assert metres(lon, lat, again_lon, again_lat).max() < 0.5


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_offset_is_hundreds_of_metres_inside_china(china_lattice, system):
    lon, lat = china_lattice
    inside = coords.in_china(lon, lat)
    s_lon, s_lat = coords.from_wgs84(lon, lat, coords=system)
    d = metres(lon, lat, s_lon, s_lat)[inside]
    assert d.min() > 20 and d.max() < 1500  # the offset is smallest in the far west


def test_known_shanghai_offset():
    # People's Square: GCJ-02 is about 0.0045° east / 0.002° north of WGS-84 in Shanghai
    g_lon, g_lat = coords.wgs84_to_gcj02(121.4737, 31.2304)
    assert 0.003 < g_lon - 121.4737 < 0.006
    assert -0.004 < g_lat - 31.2304 < 0.0
    b_lon, b_lat = coords.gcj02_to_bd09(g_lon, g_lat)
    assert 0.005 < b_lon - g_lon < 0.008 and 0.004 < b_lat - g_lat < 0.008


def test_no_offset_outside_china():
    lon, lat = coords.wgs84_to_gcj02(np.array([2.35, -74.0]), np.array([48.85, 40.7]))
    np.testing.assert_allclose(lon, [2.35, -74.0])
    np.testing.assert_allclose(lat, [48.85, 40.7])


def test_cgcs2000_is_wgs84_and_unknown_system_refused():
    lon, lat = coords.to_wgs84([121.0], [31.0], coords="cgcs2000")
    assert lon[0] == 121.0 and lat[0] == 31.0
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.to_wgs84([121.0], [31.0], coords="mars")
