"""Upload bombs and file types: OSM uploads are parsed by a background job with caps on the
decompressed size and the parse time, never inside the request; the type is decided by the
content, not the file name; every user has an upload quota; a crash's orphan files go at start.
"""

from __future__ import annotations

import bz2
import gzip
import os
import time
from pathlib import Path

import pytest

from api.app import create_app
from api.settings import Settings
from api.uploads import check_decompressed_size, sniff
from gridplan.errors import InvalidInputError
from tests.api.conftest import DATA, HP, TestClient, World, wait_for_job

HELSINKI = Path(__file__).resolve().parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
CAP = 1_000_000  # decompressed bytes the tests allow


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_decompressed_bytes": CAP,
                                       "max_upload_bytes": 1_000_000})


def _xml_bomb(padding: int) -> bytes:
    # valid OSM XML whose bulk is whitespace: compresses ~1000:1
    return (b"<?xml version='1.0'?><osm version='0.6'>" + b" " * padding + b"</osm>")


def _upload(world: World, body: bytes, name: str, user: str = "planner") -> object:
    return world.client.post("/networks", headers=world.h(user), files={"file": (name, body)},
                             data={"name": "n", "mode": "walk", "jurisdiction_code": HP})


def _network(world: World, network_id: int) -> dict:
    return world.client.get(f"/networks/{network_id}", headers=world.h("planner")).json()


@pytest.mark.parametrize(("compress", "name"), [(bz2.compress, "bomb.osm.bz2"),
                                                (gzip.compress, "bomb.osm.gz")])
def test_compressed_bomb_is_refused_by_the_job_not_parsed_in_the_request(
        world: World, compress, name: str) -> None:
    bomb = compress(_xml_bomb(3 * CAP))
    assert len(bomb) < 20_000
    r = _upload(world, bomb, name)
    assert r.status_code == 202, r.text  # stored, not parsed: the request never inflates it
    net = r.json()
    assert net["status"] == "parsing" and r.headers["Location"] == f"/jobs/{net['parse_job_id']}"
    job = wait_for_job(world, net["parse_job_id"])
    assert job["status"] == "failed"
    assert "decompressed" in job["message"] and name in job["error"]["report"]
    assert "uploads" not in job["error"]["report"]  # our storage path never shows
    stored = _network(world, net["id"])
    assert stored["status"] == "failed" and "decompressed" in stored["summary"]["error"]


def test_pbf_is_capped_by_its_inflated_blocks(tmp_path: Path) -> None:
    check_decompressed_size(HELSINKI, limit=50 * 1024**2)
    with pytest.raises(InvalidInputError, match="decompressed"):
        check_decompressed_size(HELSINKI, limit=HELSINKI.stat().st_size)


def _set(world: World, **values: object) -> None:
    app = world.client.app
    app.state.settings = app.state.settings.model_copy(update=values)
    app.state.jobs.settings = app.state.settings


def test_good_pbf_is_parsed_in_the_background(world: World) -> None:
    _set(world, max_decompressed_bytes=50 * 1024**2)
    r = _upload(world, HELSINKI.read_bytes(), "helsinki.bin")
    assert r.status_code == 202, r.text
    assert wait_for_job(world, r.json()["parse_job_id"])["status"] == "succeeded"
    net = _network(world, r.json()["id"])
    assert net["status"] == "ready" and net["summary"]["nodes"] > 100


def test_parse_time_is_capped(world: World) -> None:
    _set(world, network_parse_timeout_s=0.1)
    r = _upload(world, (DATA / "shanghai_crop_drive.osm").read_bytes(), "crop.osm")
    job = wait_for_job(world, r.json()["parse_job_id"])
    assert job["status"] == "failed" and "too long" in job["message"], job


def test_good_osm_is_parsed_by_the_job(world: World) -> None:
    r = _upload(world, (DATA / "shanghai_crop_drive.osm").read_bytes(), "crop.osm")
    job = wait_for_job(world, r.json()["parse_job_id"])
    assert job["status"] == "succeeded", job
    net = _network(world, r.json()["id"])
    assert net["status"] == "ready" and net["summary"]["edges"] > 0
    assert net["summary"]["source"] == "crop.osm"


def test_type_is_decided_by_content_not_name(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    assert _upload(world, png, "streets.osm").status_code == 415
    osm = (DATA / "shanghai_crop_drive.osm").read_bytes()
    assert _upload(world, osm, "streets.txt").status_code == 202
    xlsx = b"PK\x03\x04" + b"\x00" * 200  # a spreadsheet (zip) named .csv
    csv = (DATA / f"incidents_{HP}.csv").read_bytes()
    form = {"name": "w", "district_code": HP, "lon_col": "lon", "lat_col": "lat",
            "category_col": "category", "id_col": "id"}
    send = lambda name, body: world.client.post(  # noqa: E731
        "/incidents", headers=world.h("planner"), files={"file": (name, body)}, data=form)
    assert send("week.csv", xlsx).status_code == 415
    assert send("week.txt", csv).status_code == 201


def test_sniffing(tmp_path: Path) -> None:
    cases = {b"<osm version='0.6'></osm>": ".osm",
             b"\xef\xbb\xbf <?xml version='1.0'?>\n<osm>": ".osm",
             bz2.compress(b"<osm></osm>"): ".osm.bz2", gzip.compress(b"<osm></osm>"): ".osm.gz",
             gzip.compress(b"just text"): None, HELSINKI.read_bytes()[:1000]: ".osm.pbf",
             b'{"type": "FeatureCollection"}': ".geojson",
             "编号,时间\n1,2".encode("gb18030"): ".csv",
             b"SQLite format 3\x00rest": ".gpkg", b"\x89PNG\r\n\x1a\n": None, b"": None}
    for i, (body, expected) in enumerate(cases.items()):
        path = tmp_path / f"f{i}"
        path.write_bytes(body)
        assert sniff(path) == expected, body[:30]


def test_upload_quota(world: World) -> None:
    _set(world, upload_quota_bytes=60_000)
    osm = (DATA / "shanghai_crop_drive.osm").read_bytes()  # 49 kB
    assert _upload(world, osm, "a.osm").status_code == 202
    r = _upload(world, osm, "b.osm")
    assert r.status_code == 413 and "quota" in r.json()["detail"]
    assert _upload(world, osm, "c.osm", user="admin").status_code == 202  # per user


def test_orphan_upload_files_are_cleaned_at_start(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        db = client.app.state.db
    folder = settings.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    old = time.time() - 3600
    orphans = [folder / ".upload-abc123", folder / ("f" * 64 + ".osm")]
    fresh = folder / ".upload-in-progress"
    for path in (*orphans, fresh):
        path.write_bytes(b"x")
    for path in orphans:
        os.utime(path, (old, old))
    del db
    with TestClient(create_app(settings)):
        pass
    assert not any(p.exists() for p in orphans) and fresh.exists()


def test_jobs_use_only_networks_that_passed_the_parse(world: World) -> None:
    """A bomb's network cannot be fed to another job to be parsed there without the caps."""
    r = _upload(world, bz2.compress(_xml_bomb(3 * CAP)), "bomb.osm.bz2")
    check = world.client.post("/jobs", headers=world.h("planner"), json={
        "kind": "network_check", "params": {"network_id": r.json()["id"]}})
    assert check.status_code == 202, check.text
    job = wait_for_job(world, check.json()["id"])
    assert job["status"] == "failed" and "not ready" in job["message"], job


def test_the_web_app_uses_only_networks_that_passed_the_parse(world: World) -> None:
    r = _upload(world, bz2.compress(_xml_bomb(3 * CAP)), "bomb.osm.bz2")
    streets = world.client.get(f"/app/api/streets/grid/{world.grids['HP-1']}",
                               headers=world.h("planner"), params={"network_id": r.json()["id"]})
    assert streets.status_code == 409, streets.text
    assert world.client.get(f"/app/api/streets/grid/{world.grids['HP-1']}",
                            headers=world.h("planner")).status_code == 404  # none is ready
