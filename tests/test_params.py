"""The one parameter mechanism: declared once, validated, loaded from TOML, seen by the doors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from api.cli.params_options import params_options
from api.schemas.params import params_model, to_params
from gridplan.errors import InvalidInputError
from gridplan.params import Params, load_sections, param


@dataclass(frozen=True, kw_only=True)
class Walk(Params):
    _section = "walk"
    walk_speed_kmh: float = param(4.5, unit="km/h", gt=0, le=10, help="walking speed")
    passes_per_day: Mapping[int, float] = param({1: 2.0, 4: 1 / 7}, ge=0, help="passes by grade")
    both_sides_grades: tuple[int, ...] = param((1, 2), help="grades walked on each side")
    mode: str = param("walk", choices=("walk", "drive"), help="how officers move")
    seed: int = param(0, ge=0, help="random seed")


def test_toml_values_are_coerced_to_declared_types() -> None:
    p = Walk.from_toml('[walk]\nwalk_speed_kmh = 4\npasses_per_day = {"1" = 3}\n'
                       "both_sides_grades = [1]\n")
    assert p.walk_speed_kmh == 4.0 and isinstance(p.walk_speed_kmh, float)
    assert dict(p.passes_per_day) == {1: 3.0}
    assert p.both_sides_grades == (1,)


def test_every_problem_in_one_report() -> None:
    with pytest.raises(InvalidInputError) as err:
        Walk(walk_speed_kmh=-1, passes_per_day={1: -2}, mode="fly")
    wheres = [p.where for p in err.value.problems]
    assert wheres == ["walk_speed_kmh", "passes_per_day[1]", "mode"]


def test_unknown_key_suggests_the_close_name() -> None:
    with pytest.raises(InvalidInputError) as err:
        Walk.from_mapping({"sed": 3})
    assert "did you mean 'seed'" in err.value.problems[0].fix


def test_unknown_table_is_reported() -> None:
    with pytest.raises(InvalidInputError, match="unknown tables"):
        load_sections("[wlak]\nseed = 1\n", [Walk])


def test_round_trip_through_dict() -> None:
    p = Walk(seed=3, passes_per_day={2: 1.0})
    assert Walk.from_mapping(p.to_dict()) == p


def test_api_model_has_the_same_bounds_and_builds_the_params() -> None:
    model = params_model(Walk)
    schema = model.model_json_schema()["properties"]
    assert schema["walk_speed_kmh"]["exclusiveMinimum"] == 0
    assert "km/h" in schema["walk_speed_kmh"]["description"]
    assert to_params(Walk, model(seed=5)) == Walk(seed=5)
    with pytest.raises(ValueError):
        model(walk_speed_kmh=0)


def test_cli_options_override_the_toml(tmp_path: Path) -> None:
    seen = {}

    @click.command()
    @params_options(Walk)
    def cmd(params):
        seen.update(params)

    toml = tmp_path / "p.toml"
    toml.write_text("[walk]\nseed = 7\nwalk_speed_kmh = 3.5\n", encoding="utf-8")
    result = CliRunner().invoke(cmd, ["--params", str(toml), "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert seen[Walk].seed == 9 and seen[Walk].walk_speed_kmh == 3.5
    help_text = CliRunner().invoke(cmd, ["--help"]).output
    assert "--walk-speed-kmh" in help_text and "km/h" in help_text
