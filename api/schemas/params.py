"""Pydantic models derived from the library's parameter sets (declared once in ``gridplan``).

The API validates a job's parameters with the model made here (bounds and help become the
JSON schema in OpenAPI) and then builds the library's own :class:`gridplan.params.Params`,
which checks everything again, so the two can never disagree.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from gridplan.errors import InvalidInputError
from gridplan.params import Params


def _api_type(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return dict[str, _api_type(args[1]) if len(args) == 2 else Any]
    if origin in (tuple, list):
        return list[_api_type(args[0]) if args else Any]
    return hint


def _definitions(cls: type[Params], exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for info in cls.describe():
        if info.name in exclude:
            continue
        spec = info.spec
        numeric = typing.get_origin(info.type) is None and info.type in (int, float)
        bounds = ({"ge": spec.ge, "gt": spec.gt, "le": spec.le, "lt": spec.lt}
                  if numeric else {})
        default = ({str(k): v for k, v in info.default.items()} if isinstance(info.default, Mapping)
                   else info.default)
        if isinstance(default, tuple):
            default = list(default)
        description = info.help_text()
        definitions[info.name] = (_api_type(info.type), Field(
            default=default, description=description,
            **{k: v for k, v in bounds.items() if v is not None}))
    return definitions


@functools.cache
def params_model(cls: type[Params]) -> type[BaseModel]:
    """A pydantic model with ``cls``'s fields, bounds, defaults and help (extra keys refused)."""
    return create_model(  # type: ignore[call-overload]
        f"{cls.__name__}Model", __config__=ConfigDict(extra="forbid"), **_definitions(cls))


def to_params(cls: type[Params], model: BaseModel | None) -> Params:
    """The library's parameter set from a validated model (None → defaults)."""
    return cls() if model is None else cls.from_mapping(model.model_dump())


def job_params_model(name: str, base: type[BaseModel], *classes: type[Params],
                     exclude: tuple[str, ...] = ()) -> type[BaseModel]:
    """A job's parameter model: ``base``'s own fields (ids, ``top`` …) plus every parameter of
    ``classes`` flat, as declared in gridplan (set ``extra="forbid"`` on ``base``)."""
    definitions: dict[str, Any] = {}
    for cls in classes:
        mine = _definitions(cls, frozenset(exclude))
        clash = (set(mine) & set(definitions)) | (set(mine) & set(base.model_fields))
        if clash:
            raise RuntimeError(f"{name}: parameter names declared twice: {sorted(clash)}")
        definitions |= mine

    def library_checks(model: BaseModel) -> BaseModel:
        """Checks spanning fields (e.g. a known time zone, ordered thresholds) at submission:
        pydantic wants ValueError, with the library's own words."""
        try:
            split_params(model, *classes)
        except InvalidInputError as exc:
            raise ValueError("; ".join(f"{p.where}: expected {p.expected}, found {p.found}"
                                       for p in exc.problems)) from None
        return model

    return create_model(  # type: ignore[call-overload]
        name, __base__=base,
        __validators__={"library_checks": model_validator(mode="after")(library_checks)},
        **definitions)


def split_params(model: BaseModel, *classes: type[Params]) -> dict[type[Params], Params]:
    """Each parameter set of a :func:`job_params_model` instance, built and checked by gridplan."""
    values = model.model_dump()
    return {cls: cls.from_mapping({i.name: values[i.name] for i in cls.describe()
                                   if i.name in values}) for cls in classes}


def param_field(cls: type[Params], name: str) -> Any:
    """One parameter of ``cls`` as a pydantic field (its default, bounds and help), for a
    request that takes just that one: ``x: int = param_field(TrackParams, "x")``."""
    return _definitions(cls)[name][1]
