"""The permission matrix: every route × role × jurisdiction (own / other) is allowed or denied.

The list of routes comes from the app's OpenAPI spec, so a new endpoint without a rule here FAILS.
"own" = inside the caller's scope (Huangpu 310101, grid HP-1, the HP/JA zone, the caller's job);
"other" = outside it (Jing'an 310106 or the Changning/Jing'an zone, someone else's job).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.db.models import GridPlan, IncidentSet, Job, StreetNetworkRecord, utcnow
from tests.api.conftest import CN, DATA, HP, JA, World, geojson, grid_shape

ROLES = ("admin", "planner", "squad", "joint", None)  # None = anonymous
Request = tuple[str, dict[str, Any]]  # url, httpx kwargs
Builder = Callable[[World, str, str | None], Request]  # world, "own"/"other", acting user

D = {"own": HP, "other": JA}


def _fresh_grid(w: World, target: str, _user: str | None) -> int:
    return w.add_grid(D[target], f"T{len(w.grids)}", index=0)


def _network(w: World, target: str) -> int:
    with w.db.session() as s:
        rec = StreetNetworkRecord(name="n", mode="walk", jurisdiction_code=D[target], file_path="x",
                                  file_sha256="0" * 64, size_bytes=1, summary={}, created_by="seed")
        s.add(rec)
        s.flush()
        return rec.id


def _job(w: World, target: str, user: str | None, status: str = "succeeded") -> str:
    owner = (user or "nobody") if target == "own" else "someone_else"
    with w.db.session() as s:
        job = Job(id=f"job-{len(w.grids)}-{owner}-{target}-{status}-{id(w)}"[:36], kind="x",
                  params={}, status=status, progress=0, message="", owner=owner,
                  cancel_requested=False, created_at=utcnow())
        w.grids[job.id] = 0
        s.add(job)
        return job.id


def _line(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.001, lat]]}


def _routes_job(w: World, target: str, user: str | None) -> str:
    """A finished routes job (own or someone else's) holding a one-step plan's layers."""
    job_id = _job(w, target, user)
    empty = {"type": "FeatureCollection", "features": []}
    step = {"officer": "A", "seq": 0, "name": "路", "deadhead": False, "length_m": 95.0,
            "minutes": 2.0, "street_id": "1", "arrival_min": 0.0}
    layers = {"routes": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _line(121.48, 31.23), "properties": step}]},
        "key_points": empty, "uncovered": empty, "title": "HP-1", "lang": "zh",
        "officers": [{"officer": "A", "turns": ["start"], "length_m": 95.0, "minutes": 2.0}]}
    with w.db.session() as s:
        job = s.get_one(Job, job_id)
        job.kind, job.result = "routes", {"grid": "HP-1", "layers": layers}
    return job_id


def _incident_set(w: World, target: str) -> int:
    with w.db.session() as s:
        rec = IncidentSet(name="i", district_code=D[target], file_path="x", file_sha256="0" * 64,
                          size_bytes=1, summary={}, synthetic=True, created_by="seed")
        s.add(rec)
        s.flush()
        return rec.id


def _fresh_proposal(w: World, target: str) -> int:
    with w.db.session() as s:
        plan = GridPlan(name="p", district_code=D[target], status="proposal", notes="",
                        created_by="seed")
        s.add(plan)
        s.flush()
        return plan.id


def _incident_upload(w: World, target: str, _u: str | None) -> Request:
    data = (DATA / f"incidents_{D[target]}.csv").read_bytes()
    return "/incidents", {"files": {"file": ("incidents.csv", data)},
                          "data": {"name": "week", "district_code": D[target],
                                   "lon_col": "lon", "lat_col": "lat", "category_col": "category",
                                   "id_col": "id"}}


def _grid_id(w: World, target: str) -> int:
    return w.grids["HP-1" if target == "own" else "JA-1"]


def _osm_upload(w: World, target: str, _u: str | None) -> Request:
    data = (DATA / "shanghai_crop_drive.osm").read_bytes()
    return "/networks", {"files": {"file": ("crop.osm", data)},
                         "data": {"name": "crop", "mode": "walk", "jurisdiction_code": D[target]}}


def _tracks_upload(w: World, target: str, _u: str | None) -> Request:
    data = b"officer,time,lon,lat\nA,2026-11-25 08:00:00,121.48,31.23\n"
    return "/tracks/coverage", {"files": {"file": ("tracks.csv", data)},
                                "data": {"grid_id": str(_grid_id(w, target)),
                                         "network_id": str(_network(w, target))}}


ALL = {"own": True, "other": True}
NONE = {"own": False, "other": False}
OWN = {"own": True, "other": False}
ADMIN_ONLY = {"admin": ALL}
EVERYONE = {r: ALL for r in ROLES if r}
DISTRICT_READERS = {"admin": ALL, "planner": OWN, "squad": OWN}
EDITORS = {"admin": ALL, "planner": OWN}

# (method, path) -> (request builder, role -> {target: allowed}); roles missing are denied.
MATRIX: dict[tuple[str, str], tuple[Builder, dict[str | None, dict[str, bool]]]] = {
    ("GET", "/health"): (lambda w, t, u: ("/health", {}), {r: ALL for r in ROLES}),
    ("POST", "/auth/token"): (
        lambda w, t, u: ("/auth/token", {"data": {"username": "admin",
                                                  "password": "correct horse battery"}}),
        {r: ALL for r in ROLES}),
    ("GET", "/users/me"): (lambda w, t, u: ("/users/me", {}), EVERYONE),
    ("GET", "/users"): (lambda w, t, u: ("/users", {}), ADMIN_ONLY),
    ("POST", "/users"): (
        lambda w, t, u: ("/users", {"json": {"username": f"u{t}{u}", "password": "long enough pw",
                                             "role": "planner", "scope": {"districts": [D[t]]}}}),
        ADMIN_ONLY),
    ("GET", "/users/me/api-keys"): (lambda w, t, u: ("/users/me/api-keys", {}), EVERYONE),
    ("POST", "/users/me/api-keys"): (lambda w, t, u: ("/users/me/api-keys", {"json": {}}), EVERYONE),
    ("DELETE", "/users/me/api-keys/{key_id}"): (
        lambda w, t, u: (f"/users/me/api-keys/{_own_key(w, u)}", {}), EVERYONE),
    ("PATCH", "/users/{user_id}"): (
        lambda w, t, u: (f"/users/{_other_user(w, t)}", {"json": {"is_active": True}}),
        ADMIN_ONLY),
    ("PUT", "/users/me/password"): (
        lambda w, t, u: ("/users/me/password", {"json": {
            "current_password": "correct horse battery",
            "new_password": "correct horse battery"}}), EVERYONE),
    ("PUT", "/users/{user_id}/password"): (
        lambda w, t, u: (f"/users/{_other_user(w, t)}/password", {"json": {
            "new_password": "correct horse battery"}}), ADMIN_ONLY),
    ("POST", "/users/me/tokens/revoke"): (lambda w, t, u: ("/users/me/tokens/revoke", {}),
                                          EVERYONE),
    ("POST", "/users/{user_id}/tokens/revoke"): (
        lambda w, t, u: (f"/users/{_other_user(w, t)}/tokens/revoke", {}), ADMIN_ONLY),
    ("GET", "/jurisdictions"): (lambda w, t, u: ("/jurisdictions", {}), EVERYONE),
    ("GET", "/jurisdictions/{code}"): (lambda w, t, u: (f"/jurisdictions/{D[t]}", {}),
                                       DISTRICT_READERS),
    ("POST", "/jurisdictions"): (
        lambda w, t, u: ("/jurisdictions", {"json": {
            "code": f"{D[t]}{len(w.grids):03d}", "name": "街道", "level": 4, "parent_code": D[t],
            "geometry": geojson(grid_shape(D[t], 0))}}), ADMIN_ONLY),
    ("GET", "/networks"): (lambda w, t, u: ("/networks", {}), EVERYONE),
    ("GET", "/networks/{network_id}"): (lambda w, t, u: (f"/networks/{_network(w, t)}", {}),
                                        DISTRICT_READERS),
    ("POST", "/networks"): (_osm_upload, EDITORS),
    ("GET", "/plans"): (lambda w, t, u: ("/plans", {}), EVERYONE),
    ("POST", "/plans"): (lambda w, t, u: ("/plans", {"json": {"name": "p", "district_code": D[t]}}),
                         EDITORS),
    ("GET", "/plans/{plan_id}"): (lambda w, t, u: (f"/plans/{w.plans[D[t]]}", {}),
                                  DISTRICT_READERS),
    ("GET", "/plans/{plan_id}/grids.geojson"): (
        lambda w, t, u: (f"/plans/{w.plans[D[t]]}/grids.geojson", {}), DISTRICT_READERS),
    ("GET", "/grids"): (lambda w, t, u: ("/grids", {}), EVERYONE),
    ("POST", "/grids"): (
        lambda w, t, u: ("/grids", {"json": {
            "plan_id": w.proposals[D[t]], "code": f"N{len(w.grids)}{u}", "jurisdiction_code": D[t],
            "geometry": geojson(grid_shape(D[t], 0))}}), EDITORS),
    ("GET", "/grids/{grid_id}"): (lambda w, t, u: (f"/grids/{_grid_id(w, t)}", {}),
                                  DISTRICT_READERS),
    ("GET", "/grids/{grid_id}/history"): (
        lambda w, t, u: (f"/grids/{_grid_id(w, t)}/history", {}), DISTRICT_READERS),
    ("PATCH", "/grids/{grid_id}"): (
        lambda w, t, u: (f"/grids/{_fresh_grid(w, t, u)}",
                         {"json": {"name": "改"}, "headers": {"If-Match": '"1"'}}), EDITORS),
    ("PUT", "/grids/{grid_id}"): (
        lambda w, t, u: (f"/grids/{_fresh_grid(w, t, u)}", {
            "json": {"code": f"R{len(w.grids)}", "jurisdiction_code": D[t],
                     "geometry": geojson(grid_shape(D[t], 0)), "staff": {"enforcement": 2}},
            "headers": {"If-Match": '"1"'}}), EDITORS),
    ("POST", "/plans/{plan_id}/promote"): (
        lambda w, t, u: (f"/plans/{_fresh_proposal(w, t)}/promote", {}), EDITORS),
    ("GET", "/incidents"): (lambda w, t, u: ("/incidents", {}), EVERYONE),
    ("GET", "/incidents/{set_id}"): (lambda w, t, u: (f"/incidents/{_incident_set(w, t)}", {}),
                                     DISTRICT_READERS),
    ("POST", "/incidents"): (_incident_upload, EDITORS),
    ("POST", "/tracks/coverage"): (_tracks_upload, DISTRICT_READERS),
    ("DELETE", "/grids/{grid_id}"): (
        lambda w, t, u: (f"/grids/{_fresh_grid(w, t, u)}", {"headers": {"If-Match": '"1"'}}),
        EDITORS),
    ("GET", "/zones/{code_a}/{code_b}"): (
        lambda w, t, u: ("/zones/{}/{}".format(*((HP, JA) if t == "own" else (CN, JA))), {}),
        {"admin": ALL, "planner": OWN, "joint": OWN}),
    ("GET", "/zones/{code_a}/{code_b}/width"): (
        lambda w, t, u: ("/zones/{}/{}/width".format(*((HP, JA) if t == "own" else (CN, JA))), {}),
        {"admin": ALL, "planner": OWN, "joint": OWN}),
    ("PUT", "/zones/{code_a}/{code_b}/width"): (
        lambda w, t, u: ("/zones/{}/{}/width".format(*((HP, JA) if t == "own" else (CN, JA))),
                         {"json": {"zone_width_m": 60}}), ADMIN_ONLY),
    ("GET", "/jobs/kinds"): (lambda w, t, u: ("/jobs/kinds", {}), EVERYONE),
    ("GET", "/jobs"): (lambda w, t, u: ("/jobs", {}), EVERYONE),
    ("POST", "/jobs"): (
        lambda w, t, u: ("/jobs", {"json": {"kind": "compare_plans", "params": {
            "plan_a": w.plans[D[t]], "plan_b": w.proposals[D[t]]}}}), EDITORS),
    ("GET", "/jobs/{job_id}"): (lambda w, t, u: (f"/jobs/{_job(w, t, u)}", {}), EVERYONE | {}),
    ("DELETE", "/jobs/{job_id}"): (lambda w, t, u: (f"/jobs/{_job(w, t, u, 'queued')}", {}),
                                   EVERYONE),
    ("GET", "/audit"): (lambda w, t, u: ("/audit", {}), ADMIN_ONLY),
    ("GET", "/jobs/{job_id}/export.{fmt}"): (
        lambda w, t, u: (f"/jobs/{_routes_job(w, t, u)}/export.gpx", {}), EVERYONE),
    ("GET", "/jobs/{job_id}/map.html"): (
        lambda w, t, u: (f"/jobs/{_routes_job(w, t, u)}/map.html", {}), EVERYONE),
    ("GET", "/jobs/{job_id}/result"): (
        lambda w, t, u: (f"/jobs/{_routes_job(w, t, u)}/result", {}), EVERYONE),
    ("GET", "/plans/{plan_id}/map.html"): (
        lambda w, t, u: (f"/plans/{w.plans[D[t]]}/map.html", {}), DISTRICT_READERS),
    ("GET", "/plans/{plan_id}/export.{fmt}"): (
        lambda w, t, u: (f"/plans/{w.plans[D[t]]}/export.geojson", {}), DISTRICT_READERS),
}
# Jobs belong to their owner: "own" = the caller's, "other" = someone else's (admin sees all).
for _key in (("GET", "/jobs/{job_id}"), ("DELETE", "/jobs/{job_id}"),
             ("GET", "/jobs/{job_id}/export.{fmt}"), ("GET", "/jobs/{job_id}/map.html"),
             ("GET", "/jobs/{job_id}/result")):
    MATRIX[_key] = (MATRIX[_key][0], {"admin": ALL, "planner": OWN, "squad": OWN, "joint": OWN})
# Extra cases of one route with another body: a joint viewer's zone job is allowed in its zone.
EXTRA_CASES: list[tuple[str, str, Builder, dict[str | None, dict[str, bool]]]] = [
    ("POST", "/jobs", lambda w, t, u: ("/jobs", {"json": {"kind": "boundary_zone", "params": {
        "code_a": HP if t == "own" else CN, "code_b": JA}}}),
     {"admin": ALL, "planner": OWN, "joint": OWN}),
    ("POST", "/jobs", lambda w, t, u: ("/jobs", {"json": {"kind": "joint_patrols", "params": {
        "code_a": HP if t == "own" else CN, "code_b": JA,
        "incident_set_ids": [_incident_set(w, "other")]}}}),
     {"admin": ALL, "planner": OWN, "joint": OWN}),
    ("POST", "/jobs", lambda w, t, u: ("/jobs", {"json": {"kind": "roster", "params": {
        "plan_id": w.plans[D[t]], "network_id": _network(w, t)}}}), DISTRICT_READERS),
]


def _other_user(w: World, target: str) -> int:
    from api.db.models import User

    with w.db.session() as s:  # "own"/"other" do not apply to accounts: always planner_ja
        return s.query(User).filter(User.username == "planner_ja").one().id


def _own_key(w: World, user: str | None) -> int:
    if user is None:
        return 1
    r = w.client.post("/users/me/api-keys", json={"name": "tmp"}, headers=w.h(user))
    return int(r.json()["id"])


def test_every_route_has_a_rule(world: World) -> None:
    spec = world.client.app.openapi()  # type: ignore[attr-defined]
    routes = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes without a permission rule: {missing}"
    assert not sorted(MATRIX.keys() - routes), "rules for routes that no longer exist"


def test_permission_matrix(world: World) -> None:
    cases = [(m, p, *MATRIX[(m, p)]) for m, p in sorted(MATRIX)] + EXTRA_CASES
    wrong = []
    for method, path, build, rules in cases:
        for user in ROLES:
            for target in ("own", "other"):
                url, kwargs = build(world, target, user)
                headers = {**kwargs.pop("headers", {}), **world.h(user)}
                r = world.client.request(method, url, headers=headers, **kwargs)
                expected = rules.get(user, NONE)[target]
                allowed = r.status_code < 400
                denied = r.status_code in (401, 403)
                if (expected and not allowed) or (not expected and not denied):
                    wrong.append(f"{method} {path} as {user} on {target}: {r.status_code} "
                                 f"(expected {'allow' if expected else 'deny'}) {r.text[:120]}")
    assert not wrong, "\n".join(wrong)


def test_403_bodies_name_nothing_the_caller_may_not_see(world: World) -> None:
    """The audit saw 403s naming the grid code and district of ids the caller may not read."""
    town = f"{JA}007"
    world.client.post("/jurisdictions", headers=world.h("admin"), json={
        "code": town, "name": "镇", "level": 4, "parent_code": JA,
        "geometry": geojson(grid_shape(JA, 0))})
    probes = [("squad", f"/grids/{world.grids['JA-1']}"),
              ("squad", f"/grids/{world.grids['HP-2']}"),
              ("planner", f"/grids/{world.grids['JA-1']}/history"),
              ("planner", f"/plans/{world.plans[JA]}"), ("planner", f"/jurisdictions/{town}"),
              ("planner", f"/incidents/{_incident_set(world, 'other')}"),
              ("planner", f"/networks/{_network(world, 'other')}")]
    for user, url in probes:
        r = world.client.get(url, headers=world.h(user))
        assert r.status_code == 403, (url, r.status_code)
        leaked = [word for word in (JA, "JA-1", "HP-2") if word in r.json()["detail"]]
        assert not leaked, (user, url, r.json())
