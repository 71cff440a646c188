from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,32}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
