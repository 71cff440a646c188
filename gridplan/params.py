"""One way to declare a parameter set: frozen, keyword-only dataclasses whose fields say their
unit, bounds and help once.

Every parameter set of gridplan (patrol policy, grid sizing, staffing, hotspots, search budget)
is a :class:`Params` subclass whose fields are made with :func:`param`::

    @dataclass(frozen=True, kw_only=True)
    class PatrolParams(Params):
        _section = "patrol"  # its table in a TOML file
        walk_speed_kmh: float = param(4.5, unit="km/h", gt=0, le=10, help="walking speed")

From that one declaration come: validation of every instance (all problems in one
:class:`~gridplan.errors.InvalidInputError`), loading from a mapping or a TOML table with unknown
keys reported ("did you mean"), :meth:`Params.describe` (what the CLI turns into options and the
API into a JSON schema), and :meth:`Params.to_dict` (JSON-ready, for job records). Subclasses add
checks that span several fields in ``_check(issues)``.

gridplan never opens files: the caller reads the TOML text (``geodata`` does).
"""

from __future__ import annotations

import difflib
import math
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields
from types import MappingProxyType
from typing import Any, ClassVar

from gridplan.errors import InvalidInputError, ProblemCollector

_META = "gridplan_param"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What one field of a parameter set means: unit, bounds, choices, help."""

    help: str
    unit: str = ""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] | None = None
    #: False keeps a parameter out of the CLI's generated options (still in TOML and the API).
    cli: bool = True


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """One parameter as doors see it (name, type, default and its :class:`ParamSpec`)."""

    name: str
    type: Any
    default: Any
    spec: ParamSpec

    @property
    def option(self) -> str:
        """The CLI spelling: ``walk_speed_kmh`` → ``--walk-speed-kmh``."""
        return "--" + self.name.replace("_", "-")

    def help_text(self) -> str:
        """Help with the unit, bounds and default, e.g. ``walking speed (km/h; > 0; default 4.5)``."""
        parts = [p for p in (self.spec.unit, _bounds_text(self.spec)) if p]
        if self.default is not None and not isinstance(self.default, Mapping):
            parts.append(f"default {_show(self.default)}")
        return f"{self.spec.help} ({'; '.join(parts)})" if parts else self.spec.help


def param(default: Any = MISSING, *, help: str, unit: str = "", ge: float | None = None,
          gt: float | None = None, le: float | None = None, lt: float | None = None,
          choices: Sequence[Any] | None = None, cli: bool = True,
          default_factory: Any = MISSING) -> Any:
    """A dataclass field of a :class:`Params` set; bounds apply to numbers (and to each value
    of a mapping, e.g. minutes by grade)."""
    spec = ParamSpec(help=help, unit=unit, ge=ge, gt=gt, le=le, lt=lt,
                     choices=tuple(choices) if choices is not None else None, cli=cli)
    if isinstance(default, Mapping) and default_factory is MISSING:
        frozen = MappingProxyType(dict(default))
        return field(default_factory=lambda: frozen, metadata={_META: spec})
    return field(default=default, default_factory=default_factory, metadata={_META: spec})


@dataclass(frozen=True, kw_only=True)
class Params:
    """Base of every parameter set: validation, loading and description from field metadata."""

    #: The TOML table this set is read from (``[patrol]``, ``[grids]`` …).
    _section: ClassVar[str] = ""

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in fields(self):
            value = _coerce(getattr(self, f.name), hints.get(f.name))
            object.__setattr__(self, f.name, value)
        issues = ProblemCollector(type(self).__name__)
        for info in self.describe():
            _check_value(issues, info, getattr(self, info.name))
        self._check(issues)
        issues.raise_if_any(f"invalid {type(self).__name__} parameters")

    def _check(self, issues: ProblemCollector) -> None:
        """Checks spanning several fields (subclasses); add problems, do not raise."""

    # ------------------------------------------------------------------ description
    @classmethod
    def describe(cls) -> list[ParamInfo]:
        """Every declared parameter in declaration order."""
        hints = _hints(cls)
        out = []
        for f in fields(cls):
            spec = f.metadata.get(_META)
            if spec is None:
                continue
            out.append(ParamInfo(f.name, hints.get(f.name, Any), _default_of(f), spec))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (mappings keyed by strings, tuples as lists)."""
        return {info.name: _plain(getattr(self, info.name)) for info in self.describe()}

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes`` (validated; unknown names reported like :meth:`from_mapping`)."""
        return type(self).from_mapping({**self.to_dict(), **changes})

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str | None = None) -> Any:
        """From a dict (a TOML table, a JSON body); unknown keys are reported, not ignored."""
        known = [info.name for info in cls.describe()]
        issues = ProblemCollector(source or cls.__name__)
        for key in sorted(set(values) - set(known)):
            close = difflib.get_close_matches(str(key), known, n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(known)}"
            issues.add(str(key), expected="a known parameter", found=repr(key), fix=fix)
        issues.raise_if_any(f"unknown {cls.__name__} parameters")
        try:
            return cls(**dict(values))
        except InvalidInputError:
            raise
        except (TypeError, ValueError) as exc:  # a value of the wrong shape for _coerce
            issues.add("", expected="values of the declared types", found=str(exc),
                       fix="see the parameter's help for its type")
            issues.raise_if_any(f"invalid {cls.__name__} parameters")
            raise  # unreachable

    @classmethod
    def from_toml(cls, text: str, *, source: str = "parameters.toml") -> Any:
        """From the ``[<_section>]`` table of TOML text (missing table → defaults)."""
        data = parse_toml(text, source=source)
        return cls.from_mapping(data.get(cls._section, {}), source=f"{source} [{cls._section}]")


def parse_toml(text: str, *, source: str = "parameters.toml") -> dict[str, Any]:
    """TOML text as a dict; a syntax error becomes one :class:`InvalidInputError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        issues = ProblemCollector(source)
        issues.add("", expected="valid TOML", found=str(exc), fix="fix the TOML syntax")
        issues.raise_if_any()
        raise  # unreachable


def load_sections(text: str, classes: Sequence[type[Params]], *,
                  source: str = "parameters.toml") -> dict[type[Params], Params]:
    """Every parameter set of one TOML file (tables not in ``classes`` are reported)."""
    data = parse_toml(text, source=source)
    sections = {c._section: c for c in classes}
    issues = ProblemCollector(source)
    for name in sorted(set(data) - set(sections)):
        issues.add(f"[{name}]", expected=f"one of the tables {sorted(sections)}",
                   found=repr(name), fix="check the table name")
    issues.raise_if_any(f"{source}: unknown tables")
    return {c: c.from_mapping(data.get(c._section, {}), source=f"{source} [{c._section}]")
            for c in classes}


# ---------------------------------------------------------------------------------- helpers
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)  # each base's annotations in its own module


def _default_of(f: Field) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def _origin(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        real = [a for a in args if a is not type(None)]
        if len(real) == 1:
            return _origin(real[0])
    return origin, args


def _coerce(value: Any, hint: Any) -> Any:
    """TOML/JSON shapes to the declared type: lists → tuples, string grade keys → ints,
    ints → floats, mappings frozen."""
    if value is None or hint is None:
        return value
    origin, args = _origin(hint)
    if origin in (Mapping, dict, typing.Mapping) or (
            origin is not None and isinstance(origin, type) and issubclass(origin, Mapping)):
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, found {value!r}")
        key_t, val_t = args if len(args) == 2 else (Any, Any)
        return MappingProxyType({_coerce(k, key_t): _coerce(v, val_t) for k, v in value.items()})
    if origin in (tuple, Sequence, list):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(f"expected a list, found {value!r}")
        item_t = args[0] if args else Any
        return tuple(_coerce(v, item_t) for v in value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if hint is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if hint is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value  # reported by _check_value
    return value


def _check_value(issues: ProblemCollector, info: ParamInfo, value: Any) -> None:
    spec = info.spec
    values = value.items() if isinstance(value, Mapping) else [(None, value)]
    for key, v in values:
        where = info.name if key is None else f"{info.name}[{key!r}]"
        if spec.choices is not None and v not in spec.choices:
            issues.add(where, expected=f"one of {', '.join(map(_show, spec.choices))}",
                       found=repr(v), fix="pick one of the listed values")
            continue
        if not _has_bounds(spec) or v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            issues.add(where, expected=f"a number ({_bounds_text(spec)})", found=repr(v),
                       fix=f"give {where} in {spec.unit or 'its unit'}")
            continue
        if not _within(spec, v):
            unit = f" {spec.unit}" if spec.unit else ""
            issues.add(where, expected=f"a value {_bounds_text(spec)}{unit}", found=repr(v),
                       fix=f"give {where} {_bounds_text(spec)}")


def _has_bounds(spec: ParamSpec) -> bool:
    return any(b is not None for b in (spec.ge, spec.gt, spec.le, spec.lt))


def _within(spec: ParamSpec, v: float) -> bool:
    return not ((spec.ge is not None and v < spec.ge) or (spec.gt is not None and v <= spec.gt)
                or (spec.le is not None and v > spec.le) or (spec.lt is not None and v >= spec.lt))


def _bounds_text(spec: ParamSpec) -> str:
    parts = []
    for sign, bound in ((">=", spec.ge), (">", spec.gt), ("<=", spec.le), ("<", spec.lt)):
        if bound is not None:
            parts.append(f"{sign} {_show(bound)}")
    return ", ".join(parts)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ",".join(_show(v) for v in value)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
