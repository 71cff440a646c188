"""Security headers: nosniff and no-referrer everywhere, a Content-Security-Policy on HTML maps
that forbids loading from or talking to other origins, and no framing."""

from __future__ import annotations

from tests.api.conftest import HP, World


def test_every_answer_has_nosniff_and_no_referrer(world: World) -> None:
    for url, headers in (("/health", {}), ("/grids", world.h("planner")), ("/nothing", {}),
                         ("/users/me", {})):
        r = world.client.get(url, headers=headers)
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] == "no-referrer", url
        assert r.headers["x-frame-options"] == "DENY", url


def test_html_maps_carry_a_content_security_policy(world: World) -> None:
    r = world.client.get(f"/plans/{world.plans[HP]}/map.html", headers=world.h("planner"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = dict(part.strip().split(" ", 1) for part in
               r.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert "http" not in r.headers["content-security-policy"]  # no other origin anywhere
    assert csp["connect-src"] == "'self'"
    json_answer = world.client.get("/grids", headers=world.h("planner"))
    assert "content-security-policy" not in json_answer.headers


def test_a_page_with_its_own_policy_keeps_it(world: World) -> None:
    r = world.client.get("/app/signin")
    assert r.headers["content-type"].startswith("text/html"), r.status_code
    assert len(r.headers.get_list("content-security-policy")) == 1
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]  # the page's stricter one
    assert r.headers["x-content-type-options"] == "nosniff"
