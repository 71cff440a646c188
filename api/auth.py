"""Who is calling: passwords (argon2), JWT bearer tokens (OAuth2 password flow) and API keys.

API keys are 256-bit random tokens, so they are stored as SHA-256 digests (fast to check on every
request, and a stolen table reveals nothing usable); passwords are low-entropy and use argon2id.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from api.db.models import ApiKey, User

JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "gp_"
DEFAULT_HASHER = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile
_dummy_hashes: dict[tuple[int, int], str] = {}  # made on first use (argon2 is slow on purpose)


@lru_cache(maxsize=8)
def password_hasher(*, time_cost: int, memory_kib: int) -> PasswordHasher:
    """An argon2id hasher of this cost (the service reads it from its settings; tests go cheap).

    Hashes record their own parameters, so changing the cost never locks anyone out."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _dummy(hasher: PasswordHasher) -> str:
    # Verifying against this when the user does not exist keeps login time independent of the name.
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("not-a-real-password")
    return _dummy_hashes[key]


class Role(StrEnum):
    SQUAD_LEADER = "squad_leader"  # their squad's grids: read, generate routes
    PLANNER = "planner"  # a district: edit grids, run redesigns
    JOINT_VIEWER = "joint_viewer"  # only the boundary zone shared with one neighbour
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller with its scope (district codes, grid codes, neighbour pair)."""

    username: str
    role: Role
    districts: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    pair: frozenset[str] = frozenset()

    @classmethod
    def of(cls, user: User | Row[Any]) -> Principal:
        scope = user.scope or {}
        return cls(
            username=user.username,
            role=Role(user.role),
            districts=frozenset(scope.get("districts") or ()),
            grids=frozenset(scope.get("grids") or ()),
            pair=frozenset(scope.get("pair") or ()),
        )


def hash_password(password: str, *, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    return hasher.hash(password)


def verify_password(password: str, password_hash: str, *,
                    hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str, *,
                 hasher: PasswordHasher = DEFAULT_HASHER) -> User | None:
    """The active user with this name and password, else None. Every path hashes once, so the
    answer's timing says nothing about whether the name exists or the account is active."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(password, _dummy(hasher), hasher=hasher)
        return None
    right = verify_password(password, user.password_hash, hasher=hasher)
    return user if right and user.is_active else None


def issue_token(user: User, *, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user.username, "role": user.role, "iat": now,
              "exp": now + timedelta(minutes=minutes), "ver": user.token_version or 0}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def token_claims(token: str, *, secret: str) -> dict[str, Any] | None:
    """The claims of a well-signed, unexpired token naming a user, else None (no database:
    the service checks this before any thread or connection is spent on the request)."""
    claims = _signed_claims(token, secret)
    if claims is None or not time.time() < claims["exp"]:  # PyJWT's rule: expired at exp
        return None
    return dict(claims)  # the cached one stays as verified


# A client sends the same token with every request until it expires: checking its signature
# (base64, JSON, HMAC) cost ~50 us per request, as much as a SELECT. The verdict is a pure
# function of (token, secret), so it is kept; the expiry, the only part that changes with
# time, is checked on every use above, and revocation is the database's (caller_of_claims).
@lru_cache(maxsize=4096)
def _signed_claims(token: str, secret: str) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM],
                                            options={"require": ["sub", "exp"]})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims.get("sub"), str) else None


# What a request needs to know about its caller, read as plain columns on the session's
# connection: a few times cheaper than loading the ORM entity, and it runs on every request.
# Built once with bound parameters: a statement built per request (``.where(col == value)``)
# costs SQLAlchemy more than running it (a new cache key each time, ~150 us against ~50 us to
# execute on SQLite); a reused statement object keeps its cache key.
_CALLER = select(User.username, User.role, User.scope, User.is_active, User.token_version)
_CALLER_BY_NAME = _CALLER.where(User.username == bindparam("username"))


def caller_of_claims(session: Session, claims: dict[str, Any]) -> Row[Any] | None:
    """The active user a token's claims name, unless revoked since (one indexed row read)."""
    row = session.connection().execute(
        _CALLER_BY_NAME, {"username": claims["sub"]}).one_or_none()
    if row is None or not row.is_active or claims.get("ver", 0) != (row.token_version or 0):
        return None  # revoked: a password change or an explicit revocation raised the version
    return row


def revoke_tokens(user: User) -> None:
    """Every bearer token issued to ``user`` so far stops working (API keys are separate)."""
    user.token_version = (user.token_version or 0) + 1


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key(session: Session, user: User, *, name: str = "") -> tuple[ApiKey, str]:
    """Create an API key for ``user``; the plain key is returned once and never stored."""
    plain = API_KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(user_id=user.id, name=name, prefix=plain[:10], key_hash=_digest(plain),
                    revoked=False)
    session.add(record)
    session.flush()
    return record, plain


_CALLER_BY_KEY = _CALLER.join(ApiKey, ApiKey.user_id == User.id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked.is_(False))


def caller_of_api_key(session: Session, key: str) -> Row[Any] | None:
    """The active user of an unrevoked key (one indexed join)."""
    row = session.connection().execute(
        _CALLER_BY_KEY, {"key_hash": _digest(key)}).one_or_none()
    return row if row is not None and row.is_active else None


def create_user(session: Session, username: str, password: str, *, role: Role,
                scope: dict[str, Any] | None = None,
                hasher: PasswordHasher = DEFAULT_HASHER) -> User:
    user = User(username=username, password_hash=hash_password(password, hasher=hasher),
                role=role.value,
                scope=scope or {}, is_active=True)
    session.add(user)
    session.flush()
    return user
