"""The web app: page shells under ``/app``, their static files, and the few JSON helpers the
screens need beyond the service API (street vectors for the caller's area, signed read-only
route links with their QR code, the inputs of a pair's joint-patrol job).

Pages hold no data. Each one loads its ES module, which signs in with the OAuth2 password flow
and calls the API with the bearer token kept in ``sessionStorage`` — no cookie carries
authority, so there is nothing to forge cross-site (CSRF), and every figure on a screen passed
the API's own role and scope checks. Every page is sent with a strict Content-Security-Policy
(scripts and styles only from this origin, no inline code).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import (
    APIRouter,
    FastAPI,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
    status,
)
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from shapely.geometry import shape
from sqlalchemy import select

from api.auth import Principal, Role
from api.db.models import Grid, IncidentSet, Job, StreetNetworkRecord
from api.deps import OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.lookups import network_or_404
from api.policy import check_owner, check_read_grid, check_read_network, check_zone, district_of
from api.route_layers import ROUTE_FORMATS, write_route_export
from api.routers.grids import grid_or_404
from api.routers.jurisdictions import get_or_404
from api.settings import Settings
from api.web.links import officer_layers, officer_route, read_route_link, sign_route_link
from api.web.streets import streets_in
from api.zones import boundary_zone

WEB = Path(__file__).resolve().parent.parent / "web"
LEAFLET = Path(__file__).resolve().parent.parent.parent / "maps" / "static"
LANGS = ("zh", "en")
GRID_MARGIN_DEG = 0.0015  # ~150 m of streets around a grid: the walks that connect its streets
ROUTE_MARGIN_DEG = 0.002

router = APIRouter(prefix="/app", include_in_schema=False, route_class=OneThreadRoute)
templates = Jinja2Templates(directory=WEB / "templates")

# page -> (template, ES module, roles that may open it; empty = anyone)
PAGES: dict[str, tuple[str, str, tuple[Role, ...]]] = {
    "signin": ("signin.html", "signin", ()),
    "today": ("today.html", "today", (Role.SQUAD_LEADER, Role.PLANNER, Role.ADMIN)),
    "coverage": ("coverage.html", "coverage", (Role.SQUAD_LEADER, Role.PLANNER, Role.ADMIN)),
    "grids": ("grids.html", "grids", (Role.PLANNER, Role.ADMIN)),
    "joint": ("joint.html", "joint", (Role.JOINT_VIEWER, Role.PLANNER, Role.ADMIN)),
    "data": ("data.html", "data", (Role.PLANNER, Role.ADMIN)),
    "sheet": ("sheet.html", "sheet", ()),  # opened by its signed route link, not a sign-in
    "route": ("route.html", "route", ()),  # only under /app/r/{link}
}
LINK_PAGES = frozenset({"route"})


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    return json.loads((WEB / "i18n.json").read_text(encoding="utf-8"))


def content_security_policy(settings: Settings) -> str:
    """Scripts, styles, fonts and data from this origin only; images also from the tile host
    when one is configured."""
    tiles = ""
    if settings.web_tiles:
        parts = urlsplit(settings.web_tiles.replace("{s}", "*"))
        tiles = f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
            f"img-src 'self' data: blob:{tiles}; connect-src 'self'; worker-src 'self'; "
            "manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            "form-action 'self'")


def secure(response: Response, settings: Settings) -> Response:
    response.headers["Content-Security-Policy"] = content_security_policy(settings)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # route links carry their token
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("gp_lang") or "zh"
    return asked if asked in LANGS else "zh"


def render(request: Request, settings: Settings, page: str, **extra: Any) -> Response:
    template, script, roles = PAGES[page]
    lang = _lang(request)
    config = {"page": page, "lang": lang, "roles": [r.value for r in roles],
              "tiles": settings.web_tiles, "tiles_datum": settings.web_tiles_datum, **extra}
    response = templates.TemplateResponse(request, template, {
        "lang": lang, "t": strings()[lang], "strings": strings()[lang], "config": config,
        "script": script, "page": page})
    if "lang" in request.query_params:  # remember the switch (a preference, not authority)
        response.set_cookie("gp_lang", lang, max_age=365 * 86400, samesite="strict",
                            httponly=True, path="/app")
    return secure(response, settings)


@router.get("", response_class=RedirectResponse)
def app_root() -> RedirectResponse:
    return RedirectResponse("/app/signin", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.get("/r/{token}", response_class=HTMLResponse)
def officer_page(token: str, request: Request, settings: SettingsDep) -> Response:
    """我的路线: one officer's route, opened from the QR code (no sign-in: the link is the key)."""
    return render(request, settings, "route")


@router.get("/sw.js")
def service_worker(settings: SettingsDep) -> Response:
    """The officer page's service worker, from /app so its scope covers the route pages."""
    body = (WEB / "static" / "sw.js").read_text(encoding="utf-8")
    return secure(Response(body, media_type="text/javascript"), settings)


FONT_URL = "/app/fonts/cjk-{part}.woff"
FONT_CACHE = "public, max-age=604800"  # a week: the files change only with the font package


@router.get("/fonts/cjk.css")
def font_css() -> Response:
    """The Chinese web font's ``@font-face`` rules (the shipped Noto Sans CJK, in two parts by
    ``unicode-range``, see :func:`maps.fonts.web_font_css`): Chinese renders on a bare machine."""
    from maps.fonts import web_font_css

    return Response(web_font_css(FONT_URL), media_type="text/css",
                    headers={"Cache-Control": FONT_CACHE, "X-Content-Type-Options": "nosniff"})


@router.get("/fonts/cjk-{part}.woff")
def font_file(part: str, settings: SettingsDep) -> Response:
    """One part of the web font, built on first use into the cache folder (a few seconds)."""
    from fastapi.responses import FileResponse

    from maps.fonts import WEB_PARTS, web_font

    path = web_font(part, settings.effective_cache_dir / "fonts") if part in WEB_PARTS else None
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no font {part!r}")
    return FileResponse(path, media_type="font/woff",
                        headers={"Cache-Control": FONT_CACHE, "X-Content-Type-Options": "nosniff"})


@router.get("/{page}", response_class=HTMLResponse)
def page_shell(page: str, request: Request, settings: SettingsDep) -> Response:
    if page not in PAGES or page in LINK_PAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no page {page!r}")
    return render(request, settings, page)


# ------------------------------------------------------------------------------ JSON helpers
_READY_NETWORKS = select(StreetNetworkRecord).where(
    StreetNetworkRecord.status == "ready").order_by(StreetNetworkRecord.id)


def _network(session: SessionDep, principal: Principal, network_id: int | None
             ) -> StreetNetworkRecord:
    if network_id is not None:
        net = network_or_404(session, network_id)
        check_read_network(session, principal, net)
        if net.status != "ready":  # only uploads that passed network_parse's caps are parsed here
            raise HTTPException(status.HTTP_409_CONFLICT,
                                detail=f"street network {network_id} is {net.status}")
        return net
    for net in session.scalars(_READY_NETWORKS):
        try:
            check_read_network(session, principal, net)
        except HTTPException:
            continue
        return net
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no street network you may read")


def _streets(settings: Settings, net: StreetNetworkRecord, area: Any) -> dict[str, Any]:
    return streets_in(net.file_path, net.mode, str(settings.effective_cache_dir), area)


@router.get("/api/streets/grid/{grid_id}")
def grid_streets(grid_id: int, session: SessionDep, principal: PrincipalDep,
                 settings: SettingsDep,
                 network_id: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """Streets of a grid the caller may read (and a margin of connecting streets)."""
    grid = grid_or_404(session, grid_id)
    check_read_grid(principal, grid)
    net = _network(session, principal, network_id)
    return _streets(settings, net, grid.geometry.buffer(GRID_MARGIN_DEG))


@router.get("/api/streets/district/{code}")
def district_streets(code: str, session: SessionDep, principal: PrincipalDep,
                     settings: SettingsDep,
                     network_id: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """Streets of a whole district: its planners (and admins)."""
    from api.policy import check_edit_district

    district = get_or_404(session, code)
    check_edit_district(principal, district_of(session, district.code))
    net = _network(session, principal, network_id)
    return _streets(settings, net, district.geometry)


def _pair_network(session: SessionDep, principal: Principal, pair: frozenset[str]
                  ) -> StreetNetworkRecord:
    """A network the pair's job may use: a joint viewer uses the pair's or a shared one."""
    if principal.role is not Role.JOINT_VIEWER:
        return _network(session, principal, None)
    for net in session.scalars(_READY_NETWORKS):
        if net.jurisdiction_code is None or net.jurisdiction_code in pair:
            return net
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no street network for this pair")


def visible_zone(session: SessionDep, principal: Principal, code_a: str, code_b: str) -> Any:
    """The pair's boundary zone at the alliance's width (as ``GET /zones`` gives it), clipped to
    the sides the caller may see (403 otherwise)."""
    from api.policy import zone_width_for

    sides = check_zone(principal, (code_a, code_b))
    a, b = get_or_404(session, code_a), get_or_404(session, code_b)
    width = zone_width_for(session, principal, (a.code, b.code), None)
    return boundary_zone(a.code, a.geometry, b.code, b.geometry,
                         zone_width_m=width).visible(sides)


@router.get("/api/streets/zone/{code_a}/{code_b}")
def zone_streets(code_a: str, code_b: str, session: SessionDep, principal: PrincipalDep,
                 settings: SettingsDep) -> dict[str, Any]:
    """Streets inside the boundary zone the caller may see, and nothing beyond it."""
    zone = visible_zone(session, principal, code_a, code_b)
    net = _pair_network(session, principal, frozenset((code_a, code_b)))
    return _streets(settings, net, zone)


@router.get("/api/joint/pairs")
def joint_pairs(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """The neighbour pairs whose boundary zone the caller may open: a joint viewer's own pair;
    for planners the districts touching theirs (admins: every touching pair)."""
    from api.db.models import Jurisdiction
    from gridplan.model import JurisdictionLevel

    if principal.role is Role.JOINT_VIEWER:
        codes = sorted(principal.pair)
        return [{"pair": codes, "names": [get_or_404(session, c).name for c in codes]}]
    districts = list(session.scalars(select(Jurisdiction).where(
        Jurisdiction.level == JurisdictionLevel.DISTRICT).order_by(Jurisdiction.code)))
    out = []
    for i, a in enumerate(districts):
        for b in districts[i + 1:]:
            mine = principal.role is Role.ADMIN or {a.code, b.code} & principal.districts
            if mine and a.geometry.buffer(1e-4).intersects(b.geometry):
                out.append({"pair": [a.code, b.code], "names": [a.name, b.name]})
    return out


@router.get("/api/joint/inputs/{code_a}/{code_b}")
def joint_inputs(code_a: str, code_b: str, session: SessionDep,
                 principal: PrincipalDep) -> dict[str, Any]:
    """What a joint-patrol job of the pair needs: the ids of the two districts' incident sets
    and a network (ids and names only; the reports themselves stay with their districts)."""
    pair = frozenset((code_a, code_b))
    sides = check_zone(principal, pair)
    sets = [{"id": s.id, "name": s.name, "district_code": s.district_code}
            for s in session.scalars(select(IncidentSet).where(
                IncidentSet.district_code.in_(sorted(pair))).order_by(IncidentSet.id.desc()))]
    latest: dict[str, dict[str, Any]] = {}
    for s in sets:
        latest.setdefault(s["district_code"], s)
    net = _pair_network(session, principal, pair)
    names = {c: get_or_404(session, c).name for c in pair}
    return {"pair": [code_a, code_b], "names": names, "visible_sides": sorted(sides),
            "incident_sets": list(latest.values()), "network_id": net.id}


@router.get("/api/jobs/{job_id}/meeting-sheet.pdf")
def meeting_sheet(job_id: str, request: Request, session: SessionDep,
                  principal: PrincipalDep, settings: SettingsDep) -> Response:
    """The printable meeting sheet (A4 PDF) of the caller's finished joint_patrols job, drawn
    from the job's result (already clipped to the caller's sides of the zone)."""
    from api.routers.exports import file_response
    from api.web.sheet import meeting_sheet_pdf, plan_date

    job = session.get(Job, job_id)
    if job is None or job.kind != "joint_patrols" or job.status != "succeeded" \
            or not isinstance(job.result, dict):
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=f"no finished joint_patrols job {job_id}")
    check_owner(principal, job.owner)
    districts = [(j.code, j.name, j.geometry) for j in
                 (get_or_404(session, c) for c in job.result["jurisdictions"])]
    pair = "-".join(job.result["jurisdictions"])
    streets = _zone_street_lines(session, principal, settings, job.result)
    made = plan_date(job.result, job.finished_at or job.created_at)
    return file_response(lambda d: meeting_sheet_pdf(job.result, districts, d, streets=streets,
                                                     made=made, lang=_lang(request)),
                         "application/pdf", f"meeting-sheet-{pair}.pdf")


def _zone_street_lines(session: SessionDep, principal: Principal, settings: Settings,
                       result: dict[str, Any]) -> Any:
    """The streets inside the job's (already clipped) zone, for the printed map; None when the
    pair has no parsed network."""
    import geopandas as gpd
    from shapely.geometry import shape

    if not result.get("zone"):
        return None
    try:
        net = _pair_network(session, principal, frozenset(result["jurisdictions"]))
    except HTTPException:
        return None
    found = _streets(settings, net, shape(result["zone"]))
    return gpd.GeoDataFrame.from_features(found["features"], crs="EPSG:4326") \
        if found["features"] else None


class RouteLinkCreate(BaseModel):
    job_id: str = Field(min_length=1, max_length=64)
    officer: str = Field(min_length=1, max_length=64)


def _routes_job(session: SessionDep, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.kind != "routes" or job.status != "succeeded" \
            or not isinstance(job.result, dict):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no finished routes job {job_id}")
    return job


@router.post("/api/route-links", status_code=201)
def create_route_link(body: RouteLinkCreate, request: Request, session: SessionDep,
                      principal: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    """A read-only link to one officer's route of the caller's routes job (for its QR code),
    valid until 12 hours after the shift ends."""
    from datetime import UTC, datetime

    job = _routes_job(session, body.job_id)
    check_owner(principal, job.owner)
    if officer_route(job.result, body.officer) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no officer {body.officer}")
    end = datetime.fromisoformat(str(job.result.get("shift_end")))
    hours = max(1.0, (end - datetime.now(UTC)).total_seconds() / 3600 + 12)
    token = sign_route_link(job.id, body.officer, secret=settings.secret_key, hours=hours)
    url = str(request.url_for("officer_page", token=token))
    return {"url": url, "qr": f"/app/api/r/{token}/qr.svg", "path": f"/app/r/{token}"}


@router.get("/api/jobs/{job_id}/officers/{officer}/export.{fmt}")
def officer_export(job_id: str, officer: str, fmt: Literal["gpx", "kml"], session: SessionDep,
                   principal: PrincipalDep) -> Response:
    """One officer's route of the caller's routes job as GPX or KML (for that officer's phone)."""
    from api.routers.exports import file_response

    job = _routes_job(session, job_id)
    check_owner(principal, job.owner)
    layers = officer_layers(job.result.get("layers") or {}, officer)
    if layers is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no officer {officer}")
    suffix, media = ROUTE_FORMATS[fmt]
    return file_response(lambda d: write_route_export(layers, fmt, d), media,
                         f"routes-{job.result.get('grid', 'grid')}-{officer}{suffix}")


def _link(session: SessionDep, settings: Settings, token: str) -> tuple[Job, str]:
    found = read_route_link(token, secret=settings.secret_key)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="this route link is not valid "
                            "(expired or mistyped); ask your squad leader for a new one")
    return _routes_job(session, found[0]), found[1]


@router.get("/api/r/{token}")
def route_of_link(token: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The officer's route behind a link, with the streets around it (for the offline map)."""
    job, officer = _link(session, settings, token)
    route = officer_route(job.result, officer)
    if route is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no officer {officer}")
    net = session.get(StreetNetworkRecord, job.result.get("network_id"))
    steps = [shape(f["geometry"]) for f in route["steps"]["features"]]
    if net is not None and steps:
        from shapely import union_all

        area = union_all(steps).envelope.buffer(ROUTE_MARGIN_DEG)
        route["streets"] = _streets(settings, net, area)
    return route


@router.get("/api/r/{token}/qr.svg")
def route_link_qr(token: str, request: Request, session: SessionDep,
                  settings: SettingsDep) -> Response:
    """The link as a QR code (SVG) for a phone camera."""
    import io

    import segno

    _link(session, settings, token)
    url = str(request.url_for("officer_page", token=token))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


# ------------------------------------------------------------------------------ unit editor
def _plan_units(session: SessionDep, principal: Principal, settings: Settings, plan_id: int,
                network_id: int | None) -> tuple[Any, dict[str, str]]:
    from api.policy import check_edit_district
    from api.routers.exports import grids_frame
    from api.routers.plans import plan_or_404
    from api.web.units import district_units, layout_of

    plan = plan_or_404(session, plan_id)
    check_edit_district(principal, plan.district_code)
    net = _network(session, principal, network_id)
    district = get_or_404(session, plan.district_code)
    incidents = session.scalar(select(IncidentSet.file_path).where(
        IncidentSet.district_code == district.code).order_by(IncidentSet.id.desc()).limit(1))
    units = district_units(net.file_path, net.mode, str(settings.effective_cache_dir),
                           district.code, district.geometry, incidents_path=incidents)
    grids = grids_frame(list(session.scalars(select(Grid).where(Grid.plan_id == plan.id))),
                        principal)
    if grids.empty:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"plan {plan_id} has no grids")
    return units, layout_of(units, grids)


@router.get("/api/plans/{plan_id}/units")
def plan_units(plan_id: int, session: SessionDep, principal: PrincipalDep,
               settings: SettingsDep,
               network_id: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """The district's units with workload and the grid each belongs to in this plan, and the
    plan's figures (balance, contiguity, staff needed): planners of the district."""
    from api.web.units import figures, plan_from, shapes, units_geojson

    units, assignment = _plan_units(session, principal, settings, plan_id, network_id)
    plan = plan_from(units, assignment)
    return {"units": units_geojson(units, assignment), "assignment": assignment,
            "figures": figures(plan), "shapes": shapes(plan)}


class UnitMove(BaseModel):
    assignment: dict[str, str] = Field(description="unit id → grid code, as shown")
    units: list[str] = Field(min_length=1, max_length=500)
    to: str = Field(min_length=1, max_length=64)


@router.post("/api/plans/{plan_id}/units/move")
def move_plan_units(plan_id: int, body: UnitMove, session: SessionDep,
                    principal: PrincipalDep, settings: SettingsDep,
                    network_id: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    """Move units to another grid: the new layout, figures and grid shapes, or 422 with every
    reason the move is refused. Nothing is stored (saving is PATCH /grids/{id} with If-Match)."""
    from api.web.units import move

    units, _ = _plan_units(session, principal, settings, plan_id, network_id)
    return move(units, body.assignment, body.units, body.to)


# ------------------------------------------------------------------------------ data screen
@router.post("/api/grids/upload", status_code=201)
def upload_grid_layout(
    file: Annotated[UploadFile, File(description="GeoJSON or GeoPackage of grid polygons")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    district_code: Annotated[str, Form(min_length=1, max_length=32)],
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
) -> dict[str, Any]:
    """A grid layout file → a new proposal plan of the district (all grids or none; every
    problem in one 422 report)."""
    import contextlib

    from api.policy import check_edit_district
    from api.uploads import GRID_LAYOUT_KINDS, loader_errors_named, save_upload
    from api.web.grid_upload import store_grid_layout

    district = get_or_404(session, district_code)
    check_edit_district(principal, district_of(session, district.code))
    saved = save_upload(file, folder=settings.uploads_dir, kinds=GRID_LAYOUT_KINDS,
                        max_bytes=settings.max_upload_bytes)  # typed by content (415)
    try:
        with loader_errors_named(saved, keep_file=False):
            plan = store_grid_layout(session, principal, saved.path, district=district.code,
                                     name=name, source=saved.filename)
    finally:
        with contextlib.suppress(FileNotFoundError):
            saved.path.unlink()  # the grids are in the database now
    return {"plan_id": plan.id, "name": plan.name, "status": plan.status}


def install_web_app(app: FastAPI) -> None:
    """Mount the web app's static files and pages on ``app``."""
    app.mount("/app/static", StaticFiles(directory=WEB / "static"), name="web-static")
    app.mount("/app/vendor/leaflet", StaticFiles(directory=LEAFLET), name="web-leaflet")
    app.include_router(router)
