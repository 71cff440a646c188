from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.auth import Role
from api.schemas.common import Code

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,64}$")]
NewPassword = Annotated[str, Field(min_length=10, max_length=200,
                                   description="not a common password, not the username")]


class Scope(BaseModel):
    districts: list[Code] = Field(default_factory=list)
    grids: list[Code] = Field(default_factory=list)
    pair: list[Code] = Field(default_factory=list, max_length=2,
                             description="joint_viewer: the two neighbouring district codes")


class UserCreate(BaseModel):
    username: Username
    password: NewPassword
    role: Role
    scope: Scope = Field(default_factory=Scope)


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    scope: Scope
    is_active: bool
    created_at: datetime


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class ApiKeyCreate(BaseModel):
    name: str = Field(default="", max_length=100)


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked: bool


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="shown once; store it now")



class UserUpdate(BaseModel):
    is_active: bool = Field(description="false: every token and API key stops working at once")


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: NewPassword


class PasswordReset(BaseModel):
    new_password: NewPassword
