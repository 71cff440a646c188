"""One place that turns errors into HTTP responses.

* :class:`InvalidInputError` → 422 with the loader's full problem list, in the same body shape as
  FastAPI's own validation errors (``detail`` = list of ``{loc, msg, type}``, plus ``expected``,
  ``found``, ``fix``) so clients handle one format.
* :class:`InfeasibleError` and :class:`Cancelled` → 409; any other :class:`GridPlanError` → 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from gridplan.errors import GridPlanError, InfeasibleError, InvalidInputError, Problem
from gridplan.progress import Cancelled


class ErrorBody(BaseModel):
    detail: str


def problem_detail(problem: Problem) -> dict[str, Any]:
    loc = [part for part in ("body", problem.source, problem.where) if part]
    return {"loc": loc, "msg": str(problem), "type": "invalid_input",
            "expected": problem.expected, "found": problem.found, "fix": problem.fix}


def invalid_input(exc: ValidationError, title: str, *, source: str, fix: str
                  ) -> InvalidInputError:
    """Every error of a pydantic validation as one report (where, expected, found, fix)."""
    return InvalidInputError(title, [
        Problem(source, ".".join(map(str, e["loc"])), e["msg"], repr(e.get("input"))[:100], fix)
        for e in exc.errors()])


def status_of(exc: GridPlanError) -> int:
    if isinstance(exc, InvalidInputError):
        return 422
    if isinstance(exc, InfeasibleError | Cancelled):
        return 409
    return 400


def error_body(exc: GridPlanError) -> dict[str, Any]:
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    if isinstance(exc, InvalidInputError):
        problems = exc.problems or [Problem("input", "", "valid input", message, "see message")]
        return {"message": message, "detail": [problem_detail(p) for p in problems]}
    return {"detail": exc.report()}


async def _gridplan_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GridPlanError)
    return JSONResponse(error_body(exc), status_code=status_of(exc))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GridPlanError, _gridplan_error)


#: Responses every authenticated route may give, documented so clients (and schemathesis) know.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or invalid credentials"},
    403: {"model": ErrorBody, "description": "outside the caller's role or scope"},
    404: {"model": ErrorBody, "description": "no such resource"},
    413: {"model": ErrorBody, "description": "request body larger than the configured limit"},
}
