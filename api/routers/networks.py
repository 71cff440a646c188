from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile
from sqlalchemy import select

from api.audit import record
from api.auth import Role
from api.db.models import StreetNetworkRecord
from api.deps import JobRunnerDep, OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.lookups import network_or_404
from api.network_parse import NetworkParseParams
from api.pagination import Page, PageDep, page_of_rows
from api.policy import check_edit_district, check_read_network, district_of, require_role
from api.routers.jurisdictions import get_or_404
from api.schemas.misc import NetworkPublic
from api.uploads import OSM_KINDS, quota_left, save_upload

router = APIRouter(prefix="/networks", tags=["networks"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


@router.get("", response_model=Page[NetworkPublic])
def list_networks(session: SessionDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    out = []
    for net in session.scalars(select(StreetNetworkRecord).order_by(StreetNetworkRecord.id)):
        try:
            check_read_network(session, principal, net)
        except HTTPException:
            continue
        out.append(net)
    return page_of_rows(out, page)


@router.get("/{network_id}", response_model=NetworkPublic)
def read_network(network_id: int, session: SessionDep,
                 principal: PrincipalDep) -> StreetNetworkRecord:
    net = network_or_404(session, network_id)
    check_read_network(session, principal, net)
    return net


@router.post("", response_model=NetworkPublic, status_code=202, responses={
    413: {"model": ErrorBody, "description": "over the upload limit or your upload quota"},
    415: {"model": ErrorBody, "description": "the content is not OSM XML (plain, bz2, gz) or PBF"}})
def upload_network(
    file: Annotated[UploadFile, File(description="OSM XML (plain, .bz2 or .gz) or PBF")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, runner: JobRunnerDep,
    response: Response,
    mode: Annotated[Literal["walk", "drive"], Form()] = "walk",
    jurisdiction_code: Annotated[str | None, Form(max_length=32)] = None,
) -> NetworkPublic:
    """Upload an OSM extract. It is stored at once and parsed by a ``network_parse`` job (capped
    decompressed size, memory and time): poll ``Location`` (``/jobs/{parse_job_id}``); the
    network's ``status`` turns ``ready`` with its summary, or ``failed`` with the loader's
    problems in the job's error. Too big gives 413, not an OSM file 415."""
    if jurisdiction_code:
        check_edit_district(principal, district_of(session,
                                                   get_or_404(session, jurisdiction_code).code))
    else:
        require_role(principal, Role.ADMIN)
    saved = save_upload(file, folder=settings.uploads_dir, kinds=OSM_KINDS,
                        max_bytes=settings.max_upload_bytes,
                        quota_bytes=quota_left(session, principal.username,
                                               settings.upload_quota_bytes))
    net = StreetNetworkRecord(
        name=name, mode=mode, jurisdiction_code=jurisdiction_code or None,
        file_path=str(saved.path), file_sha256=saved.sha256, size_bytes=saved.size_bytes,
        summary={"source": saved.filename}, status="parsing", created_by=principal.username)
    session.add(net)
    session.flush()
    record(session, principal, "create", "network", net.id, None,
           {"name": name, "sha256": net.file_sha256, "source": saved.filename})
    job = runner.create(session, kind="network_parse",
                        params=NetworkParseParams(network_id=net.id), owner=principal)
    session.commit()
    runner.submit(job.id, principal)
    response.headers["Location"] = f"/jobs/{job.id}"
    return NetworkPublic.model_validate(net, from_attributes=True).model_copy(
        update={"parse_job_id": job.id})
