"""Stored rows by id, or a 404 the caller can act on — one lookup per kind of row, shared by the
routers and the job kinds (which check a job's inputs when it is submitted).
"""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.db.models import StreetNetworkRecord
from api.schemas.common import valid_id


def network_or_404(session: Session, network_id: int) -> StreetNetworkRecord:
    net = session.get(StreetNetworkRecord, network_id) if valid_id(network_id) else None
    if net is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no street network {network_id}")
    return net
