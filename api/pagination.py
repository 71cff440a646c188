"""One way to page every list the service answers: ``?limit=&offset=`` in, a :class:`Page` out.

The default and the largest page are declared here once; a list endpoint takes ``PageDep`` and
answers ``Page[ItemPublic]`` built by :func:`page_of_query` (filters in SQL, one row more than
asked tells whether another page follows: no COUNT) or :func:`page_of_rows` (lists filtered in
Python, e.g. by a scope rule that walks the jurisdiction tree) — or, for items kept as
rendered JSON, as bytes by :meth:`PageRequest.answer_json`. ``next_offset`` is null on the
last page; an offset past the end gives an empty page, not an error; a limit over the maximum
or a negative offset is a 422 naming the parameter and its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import Session

from api.schemas.common import MAX_ID

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int

    def answer(self, rows: Sequence[Any], publish: Callable[[Any], Any] = lambda r: r
               ) -> dict[str, Any]:
        """The page body from up to ``limit + 1`` rows starting at ``offset``."""
        more = len(rows) > self.limit
        return {"items": [publish(r) for r in rows[:self.limit]], "limit": self.limit,
                "offset": self.offset, "next_offset": self.offset + self.limit if more else None}

    def answer_json(self, rows: Sequence[Any],
                    render: Callable[[Sequence[Any]], list[bytes]]) -> bytes:
        """:meth:`answer` as the JSON bytes a ``Page`` serialises to, its items' JSON made by
        ``render`` (kept, pre-rendered bytes: ``api.grid_json``)."""
        more = len(rows) > self.limit
        next_offset = b"%d" % (self.offset + self.limit) if more else b"null"
        return b'{"items":[%s],"limit":%d,"offset":%d,"next_offset":%s}' % (
            b",".join(render(rows[:self.limit])), self.limit, self.offset, next_offset)


async def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (default "
                                f"{DEFAULT_LIMIT}, at most {MAX_LIMIT})")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip: the previous "
                                 "page's next_offset")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


PageDep = Annotated[PageRequest, Depends(page_request)]


class Page(BaseModel, Generic[T]):
    """One page of a list, in the list's stable order."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(description="pass as ?offset= for the next page; null on "
                                                "the last one")


def page_of_query(session: Session, query: Select[Any], page: PageRequest,
                  publish: Callable[[Any], Any] = lambda r: r) -> dict[str, Any]:
    """The page of an ordered ORM query (every filter already in SQL)."""
    rows = list(session.scalars(query.offset(page.offset).limit(page.limit + 1)))
    return page.answer(rows, publish)


def page_of_rows(rows: Sequence[Any], page: PageRequest,
                 publish: Callable[[Any], Any] = lambda r: r) -> dict[str, Any]:
    """The page of a list already filtered in Python (small tables: jurisdictions, networks)."""
    return page.answer(rows[page.offset:page.offset + page.limit + 1], publish)
