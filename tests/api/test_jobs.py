"""Jobs: run in the background, report progress, can be polled and cancelled, keep results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from api.app import create_app
from api.job_kinds import build_registry
from api.jobs import JobContext
from api.settings import Settings
from gridplan.progress import report
from tests.api.conftest import HP, TestClient, World


def _wait(client: Any, job_id: str, headers: dict[str, str], *, until: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] in until:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']}")


def test_compare_plans_job_runs_and_stores_result(world: World) -> None:
    h = world.h("planner")
    r = world.client.post("/jobs", json={"kind": "compare_plans", "params": {
        "plan_a": world.plans[HP], "plan_b": world.proposals[HP]}}, headers=h)
    assert r.status_code == 202 and r.headers["Location"] == f"/jobs/{r.json()['id']}"
    job = _wait(world.client, r.json()["id"], h, until={"succeeded", "failed"})
    assert job["status"] == "succeeded", job
    assert "result" not in job and job["result_url"] == f"/jobs/{job['id']}/result"
    result = world.client.get(job["result_url"], headers=h).json()["result"]
    assert result["a"]["grids"] == 2 and result["b"]["grids"] == 0
    assert {c["change"] for c in result["changes"]} == {"removed"}
    assert 0 < result["a"]["area_km2"] < 1 and result["a"]["officers"] == 8


def test_bad_job_params_are_422(world: World) -> None:
    r = world.client.post("/jobs", json={"kind": "compare_plans", "params": {"plan_a": "x"}},
                          headers=world.h("planner"))
    assert r.status_code == 422 and len(r.json()["detail"]) == 2
    r = world.client.post("/jobs", json={"kind": "nope"}, headers=world.h("planner"))
    assert r.status_code == 422


class SlowParams(BaseModel):
    steps: int = 200


@pytest.fixture
def slow_client(settings: Settings) -> Iterator[TestClient]:
    registry = build_registry()

    @registry.job_kind("slow", params=SlowParams, authorize=lambda s, p, params: None)
    def slow(ctx: JobContext, p: SlowParams) -> dict[str, Any]:
        for i in range(p.steps):
            report(i / p.steps, f"step {i}", progress=ctx.progress, should_cancel=ctx.should_cancel)
            time.sleep(0.02)
        return {"steps": p.steps}

    with TestClient(create_app(settings, registry=registry)) as c:
        yield c


def test_running_job_reports_progress_and_cancels(slow_client: TestClient) -> None:
    from api.auth import Role, create_user, new_api_key

    with slow_client.app.state.db.session() as s:  # type: ignore[attr-defined]
        key = new_api_key(s, create_user(s, "sq", "pw-pw-pw-pw", role=Role.SQUAD_LEADER))[1]
    h = {"X-API-Key": key}
    job_id = slow_client.post("/jobs", json={"kind": "slow", "params": {}}, headers=h).json()["id"]
    deadline = time.monotonic() + 120
    while (job := slow_client.get(f"/jobs/{job_id}", headers=h).json())["progress"] < 0.05:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "running" and job["message"].startswith("step")
    assert slow_client.delete(f"/jobs/{job_id}", headers=h).status_code == 202
    job = _wait(slow_client, job_id, h, until={"cancelled", "succeeded", "failed"})
    assert job["status"] == "cancelled" and job["result_url"] is None and job["progress"] < 1
    assert slow_client.get(f"/jobs/{job_id}/result", headers=h).status_code == 409
    assert slow_client.delete(f"/jobs/{job_id}", headers=h).status_code == 409


def test_an_internal_error_shows_the_owner_no_traceback(world: World) -> None:
    from api.db.models import Job, utcnow

    trace = 'Traceback (most recent call last):\n  File "/srv/gridplan/api/x.py", line 3\nKeyError'
    with world.db.session() as s:
        s.add(Job(id="crashed-job", kind="routes", params={}, status="failed", progress=0.3,
                  message="internal error: KeyError('/srv/gridplan/secret')",
                  error={"kind": "KeyError", "traceback": trace}, owner="planner",
                  cancel_requested=False, created_at=utcnow()))
    for url in ("/jobs/crashed-job", "/jobs"):
        body = world.client.get(url, headers=world.h("planner")).text
        assert "Traceback" not in body and "/srv/gridplan" not in body, body
        assert "internal error" in body and "crashed-job" in body  # what to quote to an admin
    admin = world.client.get("/jobs/crashed-job", headers=world.h("admin")).json()
    assert admin["error"]["traceback"] == trace  # the operator still sees it
