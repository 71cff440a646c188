from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record
from api.auth import Principal, Role
from api.db.models import StreetNetworkRecord
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES
from api.policy import check_edit_district, check_read_district, district_of, require_role
from api.routers.jurisdictions import get_or_404
from api.schemas.common import valid_id
from api.schemas.misc import NetworkPublic
from api.uploads import loader_errors_named, save_upload, suffix_of

router = APIRouter(prefix="/networks", tags=["networks"], responses=COMMON_RESPONSES)
OSM_SUFFIXES = (".osm", ".xml", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")


def network_or_404(session: Session, network_id: int) -> StreetNetworkRecord:
    net = session.get(StreetNetworkRecord, network_id) if valid_id(network_id) else None
    if net is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no street network {network_id}")
    return net


def check_read_network(session: Session, principal: Principal, net: StreetNetworkRecord) -> None:
    if net.jurisdiction_code is None:
        require_role(principal, Role.ADMIN, Role.PLANNER, Role.SQUAD_LEADER)
    else:
        check_read_district(principal, district_of(session, net.jurisdiction_code))


@router.get("", response_model=list[NetworkPublic])
def list_networks(session: SessionDep, principal: PrincipalDep) -> list[StreetNetworkRecord]:
    out = []
    for net in session.scalars(select(StreetNetworkRecord).order_by(StreetNetworkRecord.id)):
        try:
            check_read_network(session, principal, net)
        except HTTPException:
            continue
        out.append(net)
    return out


@router.get("/{network_id}", response_model=NetworkPublic)
def read_network(network_id: int, session: SessionDep,
                 principal: PrincipalDep) -> StreetNetworkRecord:
    net = network_or_404(session, network_id)
    check_read_network(session, principal, net)
    return net


@router.post("", response_model=NetworkPublic, status_code=201,
             responses={415: {"description": "not an OSM file name"},
                        422: {"description": "the loader's problem list"}})
def upload_network(
    file: Annotated[UploadFile, File(description="OSM XML (.osm, .osm.bz2/.gz) or PBF")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
    mode: Annotated[Literal["walk", "drive"], Form()] = "walk",
    jurisdiction_code: Annotated[str | None, Form(max_length=32)] = None,
) -> StreetNetworkRecord:
    """Upload an OSM extract; it is loaded with ``geodata.osm.load_network`` and kept with its
    summary. Malformed files give 422 with the loader's problems; too big gives 413."""
    from geodata.osm import load_network, network_summary

    if jurisdiction_code:
        check_edit_district(principal, district_of(session, get_or_404(session, jurisdiction_code).code))
    else:
        require_role(principal, Role.ADMIN)
    suffix = suffix_of(file.filename or "", OSM_SUFFIXES, what="an OSM file")
    saved = save_upload(file, folder=settings.uploads_dir, suffix=suffix,
                        max_bytes=settings.max_upload_bytes)
    known = session.scalar(select(StreetNetworkRecord.id).where(
        StreetNetworkRecord.file_sha256 == saved.sha256).limit(1)) is not None
    with loader_errors_named(saved, keep_file=known):
        net = load_network(saved.path, mode=mode, cache_dir=settings.effective_cache_dir)
    summary = {**network_summary(net), "source": saved.filename}  # not our storage path
    record_ = StreetNetworkRecord(
        name=name, mode=mode, jurisdiction_code=jurisdiction_code or None,
        file_path=str(saved.path), file_sha256=saved.sha256, size_bytes=saved.size_bytes,
        summary=summary,
        created_by=principal.username)
    session.add(record_)
    session.flush()
    record(session, principal, "create", "network", record_.id, None,
           {"name": name, "sha256": record_.file_sha256, "summary": record_.summary})
    session.commit()
    return record_
