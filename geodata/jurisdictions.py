"""District / town / community polygons from GeoJSON, GeoPackage or Shapefile.

The result is a GeoDataFrame in WGS-84 with columns ``code``, ``name``, ``level``
(:class:`gridplan.model.JurisdictionLevel` value), ``parent_code`` and ``geometry``. Invalid
polygons are repaired (``make_valid``) and reported as warnings; features that cannot be polygons,
lack a code or repeat one are refused, all in one report.
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import shapely

from geodata.coords import COORD_SYSTEMS, transform_geometry
from geodata.lonlat import lonlat_problems
from geodata.tables import VECTOR_SUFFIXES, Loaded, missing_column, read_vector, require_file
from gridplan.errors import Problem, ProblemCollector
from gridplan.jurisdictions import infer_parents, level_from_code, sibling_overlaps
from gridplan.model import JurisdictionLevel

_CODE_COLUMNS = ("code", "adcode", "gb", "gbcode", "admin_code", "id")
_NAME_COLUMNS = ("name", "NAME", "名称", "mc")
_LEVEL_WORDS = {
    "省": JurisdictionLevel.PROVINCE,
    "province": JurisdictionLevel.PROVINCE,
    "市": JurisdictionLevel.CITY,
    "city": JurisdictionLevel.CITY,
    "区县": JurisdictionLevel.DISTRICT,
    "区": JurisdictionLevel.DISTRICT,
    "县": JurisdictionLevel.DISTRICT,
    "district": JurisdictionLevel.DISTRICT,
    "乡镇": JurisdictionLevel.TOWN,
    "街道": JurisdictionLevel.TOWN,
    "镇": JurisdictionLevel.TOWN,
    "town": JurisdictionLevel.TOWN,
    "社区": JurisdictionLevel.COMMUNITY,
    "村": JurisdictionLevel.COMMUNITY,
    "community": JurisdictionLevel.COMMUNITY,
}


def _pick(columns, wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    if wanted:
        return wanted if wanted in columns else None
    return next((c for c in candidates if c in columns), None)


def _level(value: object, code: str) -> JurisdictionLevel | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return JurisdictionLevel(int(value)) if int(value) in range(1, 6) else None
    text = str(value or "").strip().lower()
    return _LEVEL_WORDS.get(text) or level_from_code(code)


def load_jurisdictions(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    code_col: str | None = None,
    name_col: str | None = None,
    level_col: str | None = "level",
    parent_col: str | None = None,
    coords: str = "wgs84",
    codes: list[str] | None = None,
    metric_crs: str | None = "EPSG:32651",
) -> Loaded:
    """Read jurisdiction polygons; ``codes`` keeps only those features (after validation).

    ``coords`` names the datum of the file (GCJ-02/BD-09 polygons are shifted to WGS-84).
    ``metric_crs`` is only used to measure overlaps in metres.
    """
    path = require_file(path, kinds=VECTOR_SUFFIXES, what="polygon file")
    raw = read_vector(path, layer=layer)
    issues = ProblemCollector(str(path))
    code_c = _pick(raw.columns, code_col, _CODE_COLUMNS)
    name_c = _pick(raw.columns, name_col, _NAME_COLUMNS)
    if code_c is None:
        issues.problems.append(
            missing_column(str(path), "--code-col", code_col or "code", raw.columns)
        )
    if name_col and name_c is None:
        issues.problems.append(missing_column(str(path), "--name-col", name_col, raw.columns))
    if parent_col and parent_col not in raw.columns:
        issues.problems.append(missing_column(str(path), "--parent-col", parent_col, raw.columns))
    if coords not in COORD_SYSTEMS:
        issues.add(
            "",
            expected=f"--coords one of {', '.join(COORD_SYSTEMS)}",
            found=coords,
            fix="pass --coords gcj02 for Amap/Tencent data, bd09 for Baidu",
        )
    issues.raise_if_any()

    out = _validated(raw, path, issues, code_c, name_c, level_col, parent_col)
    issues.problems.extend(lonlat_problems(out, source=str(path)))
    issues.raise_if_any(f"{path}: {len(issues)} problem(s) in the jurisdiction polygons")
    warnings = list(out.attrs.pop("repairs"))
    if coords not in ("wgs84", "cgcs2000"):
        out["geometry"] = [transform_geometry(g, src=coords, dst="wgs84") for g in out.geometry]
    metric = out.to_crs(metric_crs) if metric_crs else out
    if parent_col is None:
        out["parent_code"] = pd.Series(infer_parents(metric), dtype=object)
    overlaps = sibling_overlaps(metric.assign(parent_code=out["parent_code"].values))
    warnings += overlaps
    if codes:
        unknown = sorted(set(codes) - set(out["code"]))
        if unknown:
            issues.add(
                "",
                expected="codes present in the file",
                found=", ".join(unknown),
                fix=f"choose among {', '.join(out['code'][:12])}…",
            )
            issues.raise_if_any()
        out = out[out["code"].isin(codes)].reset_index(drop=True)
    return Loaded(out, warnings, str(path))


def _validated(
    raw: gpd.GeoDataFrame,
    path,
    issues: ProblemCollector,
    code_c: str,
    name_c: str | None,
    level_col: str | None,
    parent_col: str | None,
):
    rows, repairs, seen = [], [], {}
    for i, feat in raw.iterrows():
        code = str(feat[code_c]).strip() if feat[code_c] is not None else ""
        where = f"feature {i + 1}" + (f" (code {code})" if code else "")
        geom = feat.geometry
        if not code or code == "nan":
            issues.add(
                where,
                expected="a jurisdiction code",
                found="empty",
                fix=f"fill the '{code_c}' column",
            )
            continue
        if code in seen:
            issues.add(
                where,
                expected="unique codes",
                found=f"code {code} also at feature {seen[code]}",
                fix="merge the two features or correct one code",
            )
            continue
        seen[code] = i + 1
        if geom is None or geom.is_empty:
            issues.add(where, expected="a polygon", found="no geometry", fix="draw the boundary")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            issues.add(
                where,
                expected="a Polygon or MultiPolygon",
                found=geom.geom_type,
                fix="export the boundary as polygons, not lines or points",
            )
            continue
        if not geom.is_valid:
            repairs.append(_repair_warning(str(path), where, geom))
            geom = _repair(geom)
        level = _level(
            feat.get(level_col) if level_col and level_col in raw.columns else None, code
        )
        rows.append(
            {
                "code": code,
                "name": str(feat[name_c]) if name_c else code,
                "level": int(level or JurisdictionLevel.DISTRICT),
                "parent_code": (str(feat[parent_col]) if parent_col and feat[parent_col] else None),
                "geometry": geom,
            }
        )
    out = gpd.GeoDataFrame(
        rows,
        columns=["code", "name", "level", "parent_code", "geometry"],
        geometry="geometry",
        crs=raw.crs or "EPSG:4326",
    ).to_crs("EPSG:4326")
    out.attrs["repairs"] = repairs
    return out


def repaired_polygons(frame: gpd.GeoDataFrame, *, source: str,
                      label: str = "feature") -> tuple[list, list[Problem]]:
    """The frame's polygons with invalid ones repaired (``make_valid``), and one warning per
    repair: the same report whichever command loads the file."""
    geoms, warnings = [], []
    for i, geom in enumerate(frame.geometry):
        if geom is not None and not geom.is_empty and not geom.is_valid:
            code = f" (code {frame['code'].iloc[i]})" if "code" in frame else ""
            warnings.append(_repair_warning(source, f"{label} {i + 1}{code}", geom))
            geom = _repair(geom)
        geoms.append(geom)
    return geoms, warnings


def _repair_warning(source: str, where: str, geom) -> Problem:
    return Problem(source, where, "a valid polygon", shapely.is_valid_reason(geom),
                   "repaired automatically with make_valid; check the result")


def _repair(geom):
    fixed = shapely.make_valid(geom)
    polys = [
        g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(polys) if polys else fixed
