from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select

from api.audit import record
from api.auth import (
    Role,
    create_user,
    hash_password,
    issue_token,
    new_api_key,
    revoke_tokens,
    verify_password,
)
from api.db.models import ApiKey, User
from api.deps import OneThreadRoute, PrincipalDep, SessionDep, SettingsDep
from api.errors import COMMON_RESPONSES, ErrorBody
from api.login_guard import LoginGuard
from api.pagination import Page, PageDep, page_of_query
from api.passwords import check_password
from api.policy import Forbidden, require_role
from api.schemas.common import valid_id
from api.schemas.user import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    PasswordChange,
    PasswordReset,
    Token,
    UserCreate,
    UserPublic,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"], responses=COMMON_RESPONSES,
                   route_class=OneThreadRoute)


def _me(session: SessionDep, principal: PrincipalDep) -> User:
    return session.scalars(select(User).where(User.username == principal.username)).one()


@router.get("/me", response_model=UserPublic)
def read_me(session: SessionDep, principal: PrincipalDep) -> User:
    return _me(session, principal)


@router.get("", response_model=Page[UserPublic])
def list_users(session: SessionDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    require_role(principal, Role.ADMIN)
    return page_of_query(session, select(User).order_by(User.id), page)


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


@router.get("/me/api-keys", response_model=Page[ApiKeyPublic])
def list_keys(session: SessionDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    me = _me(session, principal)
    return page_of_query(session, select(ApiKey).where(ApiKey.user_id == me.id).order_by(
        ApiKey.id), page)


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


def _user_or_404(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id) if valid_id(user_id) else None
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no user {user_id}")
    return user


@router.patch("/{user_id}", response_model=UserPublic, responses={
    409: {"model": ErrorBody, "description": "an admin cannot deactivate themself"}})
def update_user(user_id: int, body: UserUpdate, session: SessionDep,
                principal: PrincipalDep) -> User:
    """Deactivate (or reactivate) a user (admin). A deactivated user's tokens and API keys stop
    working at the next request; their data and audit trail stay."""
    require_role(principal, Role.ADMIN)
    user = _user_or_404(session, user_id)
    if user.username == principal.username and not body.is_active:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="you cannot deactivate yourself; ask another admin")
    before = {"is_active": user.is_active}
    user.is_active = body.is_active
    record(session, principal, "update", "user", user.id, before, {"is_active": body.is_active})
    session.commit()
    return user


def _set_password(session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                  user: User, new_password: str) -> None:
    check_password(new_password, username=user.username, source="new_password")
    user.password_hash = hash_password(new_password, hasher=settings.hasher)
    revoke_tokens(user)  # a new password ends every session of the old one
    record(session, principal, "update", "user", user.id, None,
           {"password": "changed", "tokens": "revoked"})
    session.commit()


@router.put("/me/password", response_model=Token, responses={
    403: {"model": ErrorBody, "description": "the current password is wrong"},
    422: {"description": "invalid body, or a weak new password"},
    429: {"model": ErrorBody, "description": "too many attempts: wait Retry-After seconds"}})
def change_password(body: PasswordChange, request: Request, session: SessionDep,
                    principal: PrincipalDep, settings: SettingsDep) -> Token:
    """Change your password (the current one is checked, throttled like a login). Every bearer
    token issued before stops working; the answer carries a fresh one. API keys are unchanged."""
    guard: LoginGuard = request.app.state.login_guard
    address = request.client.host if request.client else "unknown"
    guard.throttle.begin(principal.username, address)
    me = _me(session, principal)
    if not verify_password(body.current_password, me.password_hash, hasher=settings.hasher):
        raise Forbidden("the current password is wrong")
    guard.throttle.succeeded(principal.username, address)
    _set_password(session, principal, settings, me, body.new_password)
    token = issue_token(me, secret=settings.secret_key, minutes=settings.access_token_minutes)
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)


@router.put("/{user_id}/password", status_code=204, responses={
    422: {"description": "invalid body, or a weak new password"}})
def reset_password(user_id: int, body: PasswordReset, session: SessionDep,
                   principal: PrincipalDep, settings: SettingsDep) -> None:
    """Set a user's password (admin: a forgotten password); their bearer tokens are revoked."""
    require_role(principal, Role.ADMIN)
    _set_password(session, principal, settings, _user_or_404(session, user_id),
                  body.new_password)


@router.post("/me/tokens/revoke", status_code=204)
def revoke_my_tokens(session: SessionDep, principal: PrincipalDep) -> None:
    """Sign out everywhere: every bearer token issued to you so far stops working (a lost
    laptop). API keys are revoked one by one (DELETE /users/me/api-keys/{id})."""
    me = _me(session, principal)
    revoke_tokens(me)
    record(session, principal, "update", "user", me.id, None, {"tokens": "revoked"})
    session.commit()


@router.post("/{user_id}/tokens/revoke", status_code=204)
def revoke_user_tokens(user_id: int, session: SessionDep, principal: PrincipalDep) -> None:
    """Revoke every bearer token of a user (admin)."""
    require_role(principal, Role.ADMIN)
    user = _user_or_404(session, user_id)
    revoke_tokens(user)
    record(session, principal, "update", "user", user.id, None, {"tokens": "revoked"})
    session.commit()
