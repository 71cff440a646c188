"""Request dependencies, as ``Annotated`` aliases routers use directly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.auth import Principal, user_from_api_key, user_from_token
from api.db.models import User
from api.db.session import Database
from api.jobs import JobRunner
from api.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


# Attribute reads are ``async def``: a plain ``def`` dependency costs a thread-pool hand-off per
# request (FastAPI runs sync dependencies in the pool), which under load is most of a read.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """One session per request; routes commit what they change (with its audit entry) at once."""
    with db.sessions() as session:
        yield session


async def get_job_runner(request: Request) -> JobRunner:
    return request.app.state.jobs


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobRunnerDep = Annotated[JobRunner, Depends(get_job_runner)]


def _unauthorized() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail="not authenticated",
                         headers={"WWW-Authenticate": "Bearer"})


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """The caller, from a bearer JWT or an ``X-API-Key`` header (re-read from the DB each time,
    so a deactivated user or a changed scope takes effect at once)."""
    user: User | None = None
    if api_key:
        user = user_from_api_key(session, api_key)
    elif token:
        user = user_from_token(session, token, secret=settings.secret_key)
    if user is None or not user.is_active:
        raise _unauthorized()
    return Principal.of(user)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
