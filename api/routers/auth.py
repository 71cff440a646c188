from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import authenticate, issue_token
from api.db.models import User
from api.db.session import Database
from api.deps import OneThreadRoute, SettingsDep
from api.errors import ErrorBody
from api.login_guard import LoginGuard
from api.schemas.user import Token
from api.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"], route_class=OneThreadRoute)


def _check(db: Database, settings: Settings, username: str, password: str) -> User | None:
    with db.session() as session:
        return authenticate(session, username, password, hasher=settings.hasher)


@router.post("/token", response_model=Token, responses={
    401: {"model": ErrorBody, "description": "wrong username or password"},
    429: {"model": ErrorBody, "description": "too many attempts: wait Retry-After seconds"}})
async def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                settings: SettingsDep) -> Token:
    """OAuth2 password flow: exchange username + password for a bearer JWT.

    Attempts are throttled per account and per client address (429 with ``Retry-After``), and
    password checks run on a bounded pool of their own (see :mod:`api.login_guard`)."""
    guard: LoginGuard = request.app.state.login_guard
    address = request.client.host if request.client else "unknown"
    try:
        guard.throttle.begin(form.username, address)
        user = await guard.gate.run(_check, request.app.state.db, settings, form.username,
                                    form.password)
    except HTTPException as refused:
        if refused.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            await guard.pause()
        raise
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    guard.throttle.succeeded(form.username, address)
    token = issue_token(user, secret=settings.secret_key, minutes=settings.access_token_minutes)
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
