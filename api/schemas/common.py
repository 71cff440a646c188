from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,32}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]

#: Row ids are 32-bit on PostgreSQL (INTEGER): larger numbers can name no row.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def valid_id(value: int) -> bool:
    return 1 <= value <= MAX_ID
