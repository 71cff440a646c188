"""Serialised JSON of rows that carry a version, kept per API process and served as bytes.

Why: on a read of a grid or a plan's GeoJSON, loading the ORM entity, turning its geometry into
GeoJSON and having the response model validate and serialise it cost more of the one API
process's CPU than the rest of the request. A grid's JSON (and its GeoJSON Feature) is a pure
function of its row, and every change of the row goes through the ORM, which raises the row's
``version`` (``Grid.__mapper_args__["version_id_col"]``); so the bytes are kept under the row's
identity — (kind, id, version, updated_at): ``updated_at`` as well because SQLite may give a
deleted row's id to a new row, whose version starts again at 1.

What keeps it fresh: a request still reads the row's key columns from the database every time
(one small indexed SELECT, on the connection the caller check uses), and only the rendering is
skipped when that key is already here. An edit made by another API process on the same
database (``gridplan serve --workers N``) is therefore seen by the next read everywhere; nothing
is ever invalidated by hand. Entries are evicted least-recently-used beyond ``max_bytes``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class FragmentCache:
    """A thread-safe LRU of ``bytes`` bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> bytes:
        """Keep ``value`` (unless it alone is over the bound); returns it."""
        if len(value) > self.max_bytes:
            return value
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += len(value) - (len(old) if old is not None else 0)
            self._entries[key] = value
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes
