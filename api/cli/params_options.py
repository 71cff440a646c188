"""CLI options derived from the library's parameter sets (declared once in ``gridplan``).

``@params_options(PatrolParams)`` adds one option per scalar parameter (``--walk-speed-kmh``,
help with unit, bounds and default) plus ``--params FILE.toml``; the command receives one
``params`` dict mapping each class to its validated instance: defaults, then the TOML file's
table, then the options given on the command line.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from gridplan.params import ParamInfo, Params, load_sections

_CLICK_TYPES = {int: click.INT, float: click.FLOAT, str: click.STRING}


def _scalar(info: ParamInfo) -> Any | None:
    hint = info.type
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args and len(args) == 1:
        hint = args[0]
    if hint is bool:
        return bool
    if info.spec.choices is not None:
        return click.Choice([str(c) for c in info.spec.choices])
    return _CLICK_TYPES.get(hint)


def _option(info: ParamInfo, aliases: tuple[str, ...] = ()) -> Callable | None:
    kind = _scalar(info)
    if kind is None or not info.spec.cli:
        return None
    if kind is bool:
        flag = info.option[2:]
        return click.option(f"--{flag}/--no-{flag}", info.name, default=None,
                             help=info.help_text())
    return click.option(info.option, *aliases, info.name, type=kind, default=None,
                        help=info.help_text())


def cli_infos(classes: Iterable[type[Params]], exclude: Iterable[str] = (),
              only: Mapping[type[Params], Iterable[str]] | None = None) -> list[ParamInfo]:
    """Options of ``classes``; ``exclude`` names a parameter (``seed``) or one class's
    (``PatrolParams.seed``) when two sets share a name; ``only`` keeps just the named options
    of a set whose other parameters belong to another command (all still load from TOML)."""
    skip = set(exclude)
    keep = {c: set(names) for c, names in (only or {}).items()}
    return [i for c in classes for i in c.describe()
            if i.name not in skip and f"{c.__name__}.{i.name}" not in skip
            and (c not in keep or i.name in keep[c]) and _option(i)]


def params_options(*classes: type[Params], exclude: Iterable[str] = (),
                   only: Mapping[type[Params], Iterable[str]] | None = None,
                   aliases: dict[str, tuple[str, ...]] | None = None) -> Callable:
    """Decorator: options for ``classes``' scalar parameters and ``--params FILE.toml``;
    ``only`` limits a set's options (see :func:`cli_infos`); ``aliases`` adds shorter
    spellings, e.g. ``{"n_grids": ("--grids",)}``."""
    aliases = aliases or {}
    infos = cli_infos(classes, exclude, only)
    names = {i.name for i in infos}
    owners = {i.name: c for c in classes for i in cli_infos([c], exclude, only)}
    if len(names) != len(infos):
        raise RuntimeError("two parameter sets declare the same name; give one an exclude")

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(n) for n in names}
            toml = kwargs.pop("params_file")
            kwargs["params"] = build_params(classes, given, toml, owners=owners)
            return command(*args, **kwargs)

        for info in reversed(infos):
            wrapper = _option(info, aliases.get(info.name, ()))(wrapper)  # type: ignore[misc]
        return click.option(
            "--params", "params_file", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
            help="TOML file with parameter tables (" + ", ".join(
                f"[{c._section}]" for c in classes) + "); options given here override it.",
        )(wrapper)

    return decorate


def build_params(classes: Iterable[type[Params]], given: dict[str, Any],
                 toml: Path | None, *,
                 owners: dict[str, type[Params]] | None = None) -> dict[type[Params], Params]:
    """Defaults ← TOML tables ← options given (None = not given); ``owners`` says which set an
    option belongs to when two sets share a name (the other keeps its own value)."""
    classes = list(classes)
    base = (load_sections(toml.read_text(encoding="utf-8"), classes, source=str(toml))
            if toml is not None else {c: c() for c in classes})
    out: dict[type[Params], Params] = {}
    for cls in classes:
        mine = {i.name for i in cls.describe()}
        changes = {k: v for k, v in given.items() if k in mine and v is not None
                   and (owners is None or owners.get(k, cls) is cls)}
        out[cls] = base[cls].replace(**changes) if changes else base[cls]
    return out
