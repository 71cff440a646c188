"""Signed route links (the QR code): they open one officer's route and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from api.auth import JWT_ALGORITHM
from api.web.links import officer_layers, read_route_link, sign_route_link

SECRET = "a-route-link-test-secret-of-32-bytes!"


def test_a_link_names_its_job_and_officer():
    token = sign_route_link("job-1", "张伟", secret=SECRET, hours=2)
    assert read_route_link(token, secret=SECRET) == ("job-1", "张伟")


@pytest.mark.parametrize("claims", [
    {"sub": "admin", "exp": datetime.now(UTC) + timedelta(hours=1)},  # an access token
    {"aud": "route-link", "job": "j", "officer": "A",
     "exp": datetime.now(UTC) - timedelta(seconds=1)},  # expired
    {"aud": "other", "job": "j", "officer": "A", "exp": datetime.now(UTC) + timedelta(hours=1)},
])
def test_access_tokens_expired_or_foreign_tokens_are_no_links(claims):
    assert read_route_link(jwt.encode(claims, SECRET, algorithm=JWT_ALGORITHM),
                           secret=SECRET) is None


def test_a_link_signed_with_another_key_or_tampered_is_refused():
    token = sign_route_link("job-1", "A", secret=SECRET, hours=2)
    assert read_route_link(token, secret=SECRET + "x") is None
    assert read_route_link(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                           secret=SECRET) is None


def test_a_link_is_no_access_token():
    from api.auth import token_claims

    token = sign_route_link("job-1", "A", secret=SECRET, hours=2)
    # refused while decoding (its audience is route-link): the database is never asked
    assert token_claims(token, secret=SECRET) is None


def test_link_lifetime_is_capped():
    token = sign_route_link("job-1", "A", secret=SECRET, hours=10_000)
    exp = jwt.decode(token, SECRET, algorithms=[JWT_ALGORITHM], audience="route-link")["exp"]
    assert exp - datetime.now(UTC).timestamp() <= 36 * 3600 + 5


def test_officer_layers_keep_one_officer():
    feature = lambda officer: {"type": "Feature", "geometry": None,  # noqa: E731
                               "properties": {"officer": officer}}
    layers = {"officers": [{"officer": "A"}, {"officer": "B"}],
              "routes": {"type": "FeatureCollection", "features": [feature("A"), feature("B")]},
              "key_points": {"type": "FeatureCollection", "features": [feature("B")]},
              "uncovered": {"type": "FeatureCollection", "features": []}}
    mine = officer_layers(layers, "B")
    assert mine is not None and mine["officers"] == [{"officer": "B"}]
    assert [f["properties"]["officer"] for f in mine["routes"]["features"]] == ["B"]
    assert len(mine["key_points"]["features"]) == 1
    assert officer_layers(layers, "C") is None
