"""load_grids' nesting check measures in the grids' own UTM zone, wherever the city is."""

import re

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geodata.grids import load_grids


@pytest.mark.parametrize(("lon", "lat"), [(24.94, 60.17), (116.35, 40.0)])  # Helsinki, Beijing
def test_a_grid_sticking_out_of_its_district_is_measured_truly(tmp_path, lon, lat):
    district = box(lon, lat, lon + 0.01, lat + 0.01)
    grid = box(lon + 0.002, lat + 0.002, lon + 0.0108, lat + 0.008)  # ~9 % out to the east
    gpd.GeoDataFrame({"code": ["G1"], "parent_code": ["D"]}, geometry=[grid], crs=4326).to_file(
        tmp_path / "grids.geojson", driver="GeoJSON")
    districts = gpd.GeoDataFrame({"code": ["D"]}, geometry=[district], crs=4326)
    (problem,) = load_grids(tmp_path / "grids.geojson", jurisdictions=districts).warnings
    said = float(re.match(r"([\d,]+) m²", problem.found).group(1).replace(",", ""))
    equal_area = gpd.GeoSeries([grid, district], crs=4326).to_crs(
        f"+proj=laea +lon_0={lon} +lat_0={lat}")
    outside = shapely.difference(equal_area.iloc[0], equal_area.iloc[1].buffer(5.0)).area
    assert said == pytest.approx(outside, rel=0.01)
