"""The district batches on the engine give what one process gives with the same seed: a week of
routes for a district's grids, one redesign per district, one boundary study per pair of
neighbours. A small in-process cluster (two worker threads) keeps them quick; the same code runs
against real scheduler and worker processes in test_cluster.py."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from api.engine.routes import plan_routes_on
from geodata import sample
from geodata.grids import grids_to_model
from gridplan.errors import InvalidInputError
from gridplan.routing import PatrolParams, week_days


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    from api.engine.cluster import engine_client

    with engine_client(workers=2, processes=False) as client:
        yield client


@pytest.fixture(scope="module")
def incidents(sample_walk):
    return sample.incidents(net=sample_walk)


def _figures(plan) -> dict:
    found = plan.to_dict()
    found.pop("runtime_s")
    return found


def test_a_week_of_routes_on_the_engine_equals_one_process(engine, sample_walk) -> None:
    walk = sample_walk
    grids = grids_to_model(sample.grids(), metric_crs=str(walk.crs))
    small = sorted(grids, key=lambda g: g.geometry.area)[:2]  # the smallest: a quick search
    params = PatrolParams(seed=3, max_iterations=2, estimate_officers_needed=False)
    days = week_days("2026-W48")[:2]
    kwargs = {"shift": "08:00-12:00", "officers": 1, "days": days, "params": params}
    one = plan_routes_on(None, walk, small, **kwargs)
    spread = pickle.loads(pickle.dumps(plan_routes_on(engine, walk, small, **kwargs)))
    assert [(p.grid_code, p.shift.start.date()) for p in spread.plans] == [
        (g.code, d) for g in small for d in days]
    assert [_figures(p) for p in spread.plans] == [_figures(p) for p in one.plans]
    stems = [spread.stem(p) for p in spread.plans]
    assert len(set(stems)) == len(stems) and stems[0] == f"{small[0].code}_2026-11-23"


def test_a_dated_shift_cannot_be_planned_on_several_days(sample_walk) -> None:
    from gridplan.routing import plan_routes, shift_on

    days = week_days("2026-W48")
    with pytest.raises(InvalidInputError, match="a dated shift for several days"):
        plan_routes(sample_walk, [], shift=shift_on(days[0], "08:00-12:00"), days=days)


def test_an_iso_week_is_monday_to_sunday_and_a_bad_one_says_how_to_write_it() -> None:
    days = week_days("2026-W01")
    assert days[0].isoformat() == "2025-12-29" and days[-1].isoformat() == "2026-01-04"
    assert week_days("2020w53")[0].isoformat() == "2020-12-28"  # a 53-week year
    for bad in ("2026-W54", "2025-W53", "2026-48", "week 48"):
        with pytest.raises(InvalidInputError) as caught:
            week_days(bad, source="--week")
        assert caught.value.problems[0].expected.startswith("an ISO week YYYY-Www")


def _redesign_figures(result) -> dict:
    """What a planner reads of a redesign: both layouts' figures, the comparison, the grids."""
    grids = result.proposed.plan.grids
    return {**result.summary(), "codes": dict(result.proposed.keys),
            "workload": grids["workload_h"].round(6).tolist(),
            "units": result.proposed.plan.units["grid"].tolist(),
            "officers": dict(result.proposed.officers)}


def test_districts_redesigned_on_the_engine_equal_one_process(engine, sample_walk,
                                                              incidents) -> None:
    from api.engine.redesign import redesign_districts_on
    from gridplan.grids.core import PartitionParams
    from gridplan.grids.params import GridSizingParams

    jur, grids = sample.jurisdictions(), sample.grids()
    sets = {"sizing": GridSizingParams(seed=5),  # a short search: the seed still decides it
            "partition": PartitionParams(n_starts=2, max_iterations=200)}
    one = redesign_districts_on(None, sample_walk, jur, current=grids, incidents=incidents,
                                **sets)
    spread = redesign_districts_on(engine, sample_walk, jur, current=grids,
                                   incidents=incidents, **sets)
    assert list(spread) == list(one) == list(sample.DISTRICT_CODES)
    spread = pickle.loads(pickle.dumps(spread))  # what a worker process sends back
    for code, result in spread.items():
        assert _redesign_figures(result) == _redesign_figures(one[code])
        # each district keeps its own grid count and officers: none cross the line
        today = grids[grids["parent_code"] == code]
        assert len(result.proposed.keys) == len(today)
        assert set(result.proposed.plan.units["jurisdiction"]) == {code}


def test_districts_that_cannot_be_sized_are_all_refused_before_any_work(engine,
                                                                       sample_walk) -> None:
    from api.engine.redesign import redesign_districts_on
    from gridplan.grids.params import GridSizingParams

    jur, grids = sample.jurisdictions(), sample.grids()
    with pytest.raises(InvalidInputError) as caught:
        redesign_districts_on(engine, sample_walk, jur, sizing=GridSizingParams(n_grids=6))
    assert [p.where for p in caught.value.problems] == ["n_grids"]
    only_huangpu = grids[grids["parent_code"] == "310101"]
    with pytest.raises(InvalidInputError) as caught:  # Jing'an has no grids to count
        redesign_districts_on(engine, sample_walk, jur, current=only_huangpu)
    assert [p.where for p in caught.value.problems] == ["district 310106"]


def test_boundary_studies_pair_by_pair_on_the_engine_equal_one_process(
        engine, sample_walk, incidents) -> None:
    """The two districts' joint-patrol study, and pairs of neighbouring grids (as communities)."""
    from api.engine.hotspots import study_pairs_on

    jur, grids = sample.jurisdictions(), sample.grids()
    communities = grids[["code", "geometry"]]
    for places, layout, pairs in ((jur, grids, None),
                                  (communities, None, _first_pairs(communities, 3))):
        kwargs = {"network": sample_walk, "grids": layout, "pairs": pairs, "top": 3}
        one = study_pairs_on(None, places, incidents, **kwargs)
        spread = study_pairs_on(engine, places, incidents, **kwargs)
        assert list(spread) == list(one) and len(one) == (len(pairs) if pairs else 1)
        assert [s.to_dict() for s in spread.values()] == [s.to_dict() for s in one.values()]
        if places is jur:
            (district_pair,) = one.values()
            assert district_pair.joint and district_pair.plan is not None  # joint patrols


def _first_pairs(places, n: int) -> list[tuple[str, str]]:
    from gridplan.boundary import boundary_zones

    zones = boundary_zones(places.to_crs(sample.METRIC_CRS))
    return [(z.code_b, z.code_a) for z in zones[:n]]  # either way round


def test_a_pair_that_shares_no_border_is_refused_with_the_neighbours_listed() -> None:
    from gridplan.boundary_pairs import study_pairs

    grids = sample.grids()[["code", "geometry"]]
    with pytest.raises(InvalidInputError) as caught:
        study_pairs(grids, grids.iloc[:0], pairs=[("310101000000001", "nowhere")])
    (problem,) = caught.value.problems
    assert problem.where == "310101000000001/nowhere" and "310101000000001/" in problem.fix
    with pytest.raises(InvalidInputError, match="no neighbours"):
        study_pairs(grids.iloc[:1], grids.iloc[:0])


@pytest.mark.parametrize(("args", "says"), [
    (["routes", "--grid", "g", "--date", "2026-11-25", "--week", "2026-W48"], "not both"),
    (["routes", "--grid", "g", "--week", "2026-W60"], "an ISO week YYYY-Www"),
    (["grids", "redesign", "--each-district", "--headcount", "30"], "own officers"),
    (["hotspots", "--pairs", "310101"], "give two codes as A/B"),
])
def test_batch_options_are_checked_before_anything_is_loaded(tmp_path, args, says) -> None:
    from click.testing import CliRunner

    from api.cli import cli

    result = CliRunner().invoke(cli, [*args, *(["--out", str(tmp_path)] if args[0] != "hotspots"
                                               else [])])
    assert result.exit_code != 0 and says in result.output, result.output


def test_recent_coverage_travels_cut_to_each_slice(sample_walk) -> None:
    from api.engine.routes import _streets_of
    from gridplan.slicing import NetworkSlicer

    grids = grids_to_model(sample.grids(), metric_crs=str(sample_walk.crs))
    piece = NetworkSlicer.plain(sample_walk).cut(grids[0])
    everywhere = {d["street_id"]: 0.5 for *_, d in sample_walk.graph.edges(data=True)}
    mine = _streets_of(piece, everywhere)
    assert set(mine) == {d["street_id"] for *_, d in piece.graph.edges(data=True)}
    assert 0 < len(mine) < len(everywhere)


def test_each_district_and_pair_gets_its_streets_and_not_the_city(sample_walk,
                                                                  incidents) -> None:
    from gridplan.boundary_pairs import pair_inputs
    from gridplan.grids.jobs import DISTRICT_MARGIN_M, district_inputs

    jur, grids = sample.jurisdictions(), sample.grids()
    metric = jur.to_crs(sample_walk.crs).set_index("code").geometry
    edges = {(u, v, k): d["geometry"] for u, v, k, d in sample_walk.graph.edges(keys=True,
                                                                                data=True)}
    sizes = []
    for d in district_inputs(sample_walk, jur, current=grids, incidents=incidents):
        reach = metric[d.code].buffer(DISTRICT_MARGIN_M)
        mine = set(d.network.graph.edges(keys=True))
        assert mine == {e for e, line in edges.items() if line.intersects(reach)}
        assert set(d.current["parent_code"]) == {d.code}
        sizes.append((len(mine), len(d.incidents)))
    # the extract is mostly Huangpu: Jing'an gets a corner of its streets and incidents
    corner_edges, corner_incidents = min(sizes)
    assert corner_edges < len(edges) and 0 < corner_incidents < len(incidents)
    (pair,) = pair_inputs(jur, incidents, network=sample_walk, grids=grids)
    assert pair.codes == tuple(sample.DISTRICT_CODES) and len(pair.grids) == len(grids)
