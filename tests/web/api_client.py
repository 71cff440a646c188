"""A tiny JSON client for the browser tests' side actions (another planner's edit, lookups)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tests.web.live import PASSWORD


class Client:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        _, body = self.call("/auth/token", "POST", form={"username": username,
                                                         "password": PASSWORD})
        self.token = body["access_token"]

    def call(self, path: str, method: str = "GET", *, json_body: Any = None,
             form: dict[str, str] | None = None, headers: dict[str, str] | None = None
             ) -> tuple[int, Any]:
        h = dict(headers or {})
        data = None
        if getattr(self, "token", None):
            h["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            h["Content-Type"] = "application/json"
            data = json.dumps(json_body).encode()
        if form is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(request) as response:
                raw = response.read()
                if "json" not in response.headers.get("Content-Type", ""):
                    return response.status, raw
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
