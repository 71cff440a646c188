from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import authenticate, issue_token
from api.deps import SessionDep, SettingsDep
from api.errors import ErrorBody
from api.schemas.user import Token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token,
             responses={401: {"model": ErrorBody, "description": "wrong username or password"}})
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
          settings: SettingsDep) -> Token:
    """OAuth2 password flow: exchange username + password for a bearer JWT."""
    user = authenticate(session, form.username, form.password, hasher=settings.hasher)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token = issue_token(user, secret=settings.secret_key, minutes=settings.access_token_minutes)
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
