"""Request dependencies, as ``Annotated`` aliases routers use directly, and the route class that
runs a request's database work in one worker-thread call.

Why the route class: FastAPI runs every plain ``def`` dependency and endpoint in the thread
pool, one hand-off each — the session's opening, the caller check, the endpoint, the response
check and the session's closing were five per read, and under load those hand-offs (not the
SQL) were most of a read's cost. :class:`OneThreadRoute` turns an endpoint that takes
``SessionDep`` / ``PrincipalDep`` into one coroutine that opens the session, checks the caller
against the database and runs the endpoint in a single thread-pool call; the checks that need
no database (a credential is present, the token's signature and expiry) run before it, so a
request without valid credentials costs no thread and no connection.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, caller_of_api_key, caller_of_claims, token_claims
from api.db.session import Database
from api.jobs import JobRunner
from api.read_cache import FragmentCache
from api.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


# Attribute reads are ``async def``: a plain ``def`` dependency costs a thread-pool hand-off.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """One session per request; routes commit what they change (with its audit entry) at once.

    (Endpoints on :class:`OneThreadRoute` get theirs from the route, in the endpoint's thread.)"""
    with db.sessions() as session:
        yield session


async def get_job_runner(request: Request) -> JobRunner:
    return request.app.state.jobs


async def get_fragments(request: Request) -> FragmentCache:
    return request.app.state.fragments


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobRunnerDep = Annotated[JobRunner, Depends(get_job_runner)]
FragmentsDep = Annotated[FragmentCache, Depends(get_fragments)]


def _unauthorized() -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail="not authenticated",
                         headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the caller presented, checked as far as possible without the database."""

    api_key: str | None = None
    claims: dict[str, Any] | None = None

    def principal(self, session: Session) -> Principal:
        """The caller, re-read from the database on every request, so a deactivated user, a
        revoked token or key, or a changed role or scope takes effect on the next request."""
        caller = None
        if self.api_key:
            caller = caller_of_api_key(session, self.api_key)
        elif self.claims is not None:
            caller = caller_of_claims(session, self.claims)
        if caller is None:
            raise _unauthorized()
        return Principal.of(caller)


async def get_credentials(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Credentials:
    """A bearer JWT (signature and expiry checked here) or an ``X-API-Key`` header, else 401.

    (The two schemes stay dependencies so OpenAPI documents them; the settings are read off
    the app, as ``SettingsDep`` would be one more dependency solved on every request.)"""
    if api_key:
        return Credentials(api_key=api_key)
    secret = request.app.state.settings.secret_key
    claims = token_claims(token, secret=secret) if token else None
    if claims is None:
        raise _unauthorized()
    return Credentials(claims=claims)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]


def get_principal(session: SessionDep, credentials: CredentialsDep) -> Principal:
    """The caller (for endpoints not on :class:`OneThreadRoute`)."""
    return credentials.principal(session)


PrincipalDep = Annotated[Principal, Depends(get_principal)]

_REQUEST = "_one_thread_request"
_CREDENTIALS = "_one_thread_credentials"


def in_one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` (a plain ``def`` taking ``SessionDep`` and/or ``PrincipalDep``, and maybe
    ``FragmentsDep``) as a coroutine whose session, caller check and body run in ONE
    thread-pool call; the same endpoint unchanged when it takes neither or is already a
    coroutine. The database and the fragment cache come off the request's app, not as
    dependencies: FastAPI solves each dependency on every request, ~10-20 us apiece."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    session_names = [n for n in signature.parameters if hints.get(n) == SessionDep]
    principal_names = [n for n in signature.parameters if hints.get(n) == PrincipalDep]
    fragment_names = [n for n in signature.parameters if hints.get(n) == FragmentsDep]
    if not session_names and not principal_names:
        return endpoint
    supplied = {*session_names, *principal_names, *fragment_names}
    kept = [p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values() if p.name not in supplied]
    # FastAPI fills one Request parameter per endpoint: the endpoint's own, if it has one.
    request_name = next((n for n in signature.parameters if hints.get(n) is Request), None)
    added = [] if request_name else [
        inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    if principal_names:
        added.append(inspect.Parameter(_CREDENTIALS, inspect.Parameter.KEYWORD_ONLY,
                                       annotation=CredentialsDep))

    def run(db: Database, credentials: Credentials | None, kwargs: dict[str, Any]) -> Any:
        with db.sessions() as session:
            principal = credentials.principal(session) if credentials is not None else None
            return endpoint(**kwargs, **dict.fromkeys(session_names, session),
                            **dict.fromkeys(principal_names, principal))

    @functools.wraps(endpoint)
    async def one_thread(**kwargs: Any) -> Any:
        request = kwargs[request_name] if request_name else kwargs.pop(_REQUEST)
        credentials, state = kwargs.pop(_CREDENTIALS, None), request.app.state
        kwargs.update(dict.fromkeys(fragment_names, state.fragments))
        return await run_in_threadpool(run, state.db, credentials, kwargs)

    returns = hints.get("return", inspect.Signature.empty)
    one_thread.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=_ordered(kept + added),
        return_annotation=None if returns is type(None) else returns)
    return one_thread


def _ordered(parameters: list[inspect.Parameter]) -> list[inspect.Parameter]:
    """Keyword-only everywhere: FastAPI passes every parameter by name anyway."""
    return [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters]


class OneThreadRoute(APIRoute):
    """An API route whose sync endpoint runs with its session and caller check in one thread
    hand-off (see the module docstring). Routers pass it as ``route_class``."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, in_one_thread(endpoint), **kwargs)
