"""Signed read-only links to one officer's route (the QR code a squad leader hands out).

A link is a JWT signed with the service key, audience ``route-link``: it names a finished routes
job and one officer, expires with the shift (at most ``MAX_HOURS``), and grants nothing else. It
cannot be used as an access token (no ``sub``; access tokens carry no audience, so neither
passes for the other).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from api.auth import JWT_ALGORITHM

AUDIENCE = "route-link"
MAX_HOURS = 36


def sign_route_link(job_id: str, officer: str, *, secret: str, hours: float) -> str:
    now = datetime.now(UTC)
    claims = {"aud": AUDIENCE, "job": job_id, "officer": officer, "iat": now,
              "exp": now + timedelta(hours=min(hours, MAX_HOURS))}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def read_route_link(token: str, *, secret: str) -> tuple[str, str] | None:
    """(job id, officer) of a valid, unexpired link, else None."""
    try:
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM],
                                            audience=AUDIENCE,
                                            options={"require": ["aud", "exp", "job", "officer"]})
    except jwt.PyJWTError:
        return None
    job, officer = claims.get("job"), claims.get("officer")
    return (job, officer) if isinstance(job, str) and isinstance(officer, str) else None


def _features(collection: dict[str, Any], officer: str) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        f for f in collection.get("features", [])
        if f.get("properties", {}).get("officer") == officer]}


def officer_layers(layers: dict[str, Any], officer: str) -> dict[str, Any] | None:
    """A routes job's layers (:func:`api.route_layers.plan_layers`) kept to one officer."""
    card = next((o for o in layers.get("officers", []) if o.get("officer") == officer), None)
    if card is None:
        return None
    return {**layers, "officers": [card],
            "routes": _features(layers.get("routes", {}), officer),
            "key_points": _features(layers.get("key_points", {}), officer)}


def officer_route(result: dict[str, Any], officer: str) -> dict[str, Any] | None:
    """One officer's part of a routes job result: steps, key points, turns, figures."""
    layers = officer_layers(result.get("layers") or {}, officer)
    if layers is None:
        return None
    card = layers["officers"][0]
    visits = [k for k in result.get("key_points", []) if k.get("officer") == officer]
    return {"officer": officer, "title": layers.get("title", ""), "grid": result.get("grid"),
            "shift_start": result.get("shift_start"), "shift_end": result.get("shift_end"),
            "length_m": card["length_m"], "minutes": card["minutes"], "turns": card["turns"],
            "steps": layers["routes"], "key_points": layers["key_points"], "visits": visits}
