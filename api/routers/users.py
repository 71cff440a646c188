from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.audit import record
from api.auth import Role, create_user, new_api_key
from api.db.models import ApiKey, User
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.passwords import check_password
from api.policy import require_role
from api.schemas.common import valid_id
from api.schemas.user import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, UserCreate, UserPublic

router = APIRouter(prefix="/users", tags=["users"], responses=COMMON_RESPONSES)


def _me(session: SessionDep, principal: PrincipalDep) -> User:
    return session.scalars(select(User).where(User.username == principal.username)).one()


@router.get("/me", response_model=UserPublic)
def read_me(session: SessionDep, principal: PrincipalDep) -> User:
    return _me(session, principal)


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, principal: PrincipalDep) -> list[User]:
    require_role(principal, Role.ADMIN)
    return list(session.scalars(select(User).order_by(User.id)))


@router.post("", response_model=UserPublic, status_code=201,
             responses={409: {"model": ErrorBody, "description": "username taken"},
                        422: {"description": "invalid body, or a weak password"}})
def add_user(body: UserCreate, session: SessionDep, principal: PrincipalDep,
             settings: SettingsDep) -> User:
    require_role(principal, Role.ADMIN)
    if session.scalar(select(User.id).where(User.username == body.username)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"user {body.username!r} exists")
    check_password(body.password, username=body.username)
    user = create_user(session, body.username, body.password, role=body.role,
                       scope=body.scope.model_dump(), hasher=settings.hasher)
    record(session, principal, "create", "user", user.id, None,
           {"username": user.username, "role": user.role, "scope": user.scope})
    session.commit()
    return user


@router.get("/me/api-keys", response_model=list[ApiKeyPublic])
def list_keys(session: SessionDep, principal: PrincipalDep) -> list[ApiKey]:
    me = _me(session, principal)
    return list(session.scalars(select(ApiKey).where(ApiKey.user_id == me.id).order_by(ApiKey.id)))


@router.post("/me/api-keys", response_model=ApiKeyCreated, status_code=201)
def add_key(body: ApiKeyCreate, session: SessionDep, principal: PrincipalDep) -> ApiKeyCreated:
    """Create an API key for the caller; send it as the ``X-API-Key`` header. Shown once."""
    key, plain = new_api_key(session, _me(session, principal), name=body.name)
    record(session, principal, "create", "api_key", key.id, None, {"prefix": key.prefix})
    session.commit()
    return ApiKeyCreated(id=key.id, name=key.name, prefix=key.prefix, created_at=key.created_at,
                         revoked=key.revoked, key=plain)


@router.delete("/me/api-keys/{key_id}", status_code=204)
def revoke_key(key_id: int, session: SessionDep, principal: PrincipalDep) -> None:
    key = session.get(ApiKey, key_id) if valid_id(key_id) else None
    if key is None or key.user_id != _me(session, principal).id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such API key of yours")
    key.revoked = True
    record(session, principal, "update", "api_key", key.id, {"revoked": False}, {"revoked": True})
    session.commit()
