"""Reading Belenguer (CARPLIB) and Corberán (MM-kWRPP) files."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.carp import load_instance, read_carp
from gridplan.errors import InputFileError

DATA = Path(__file__).parents[1] / "data" / "carp"


def test_gdb1_header_counts_and_total_cost():
    carp = read_carp(DATA / "gdb1.dat")
    assert (carp.name, carp.n_vertices, carp.depot, carp.vehicles) == ("gdb1", 12, 1, 5)
    assert carp.capacity == 5
    assert len(carp.required) == 22 and carp.other == []
    assert carp.total_required_cost == 252  # COSTE_TOTAL_REQ in the file
    assert carp.notes == []
    instance = carp.to_instance()
    assert instance.n_tasks == 22 and instance.depot == 0 and instance.label(0) == 1


def test_val_file_with_wide_spacing_reads_all_edges():
    carp = read_carp(DATA / "3A.dat")
    assert (carp.n_vertices, len(carp.required), carp.capacity) == (24, 35, 80)
    assert sum(e.demand for e in carp.required) > 0
    # the val headers carry a COSTE_TOTAL_REQ that disagrees with their own edge lists
    assert carp.notes and "COSTE_TOTAL_REQ" in carp.notes[0]


def test_depot_line_is_read(tmp_path):
    text = (DATA / "gdb19.dat").read_text().replace("DEPOSITO :   1", "DEPOSITO :   3")
    assert "DEPOSITO :   3" in text
    path = tmp_path / "moved_depot.dat"
    path.write_text(text)
    assert read_carp(path).depot == 3
    assert load_instance(path).depot == 2  # 0-based inside the instance


def test_windy_file_keeps_both_costs():
    carp = read_carp(DATA / "P0115")
    assert carp.is_windy and carp.capacity is None and carp.depot == 1
    assert (len(carp.required), len(carp.other)) == (7, 6)
    edge = carp.required[1]  # (  3,  4)   coste    1     4
    assert (edge.u, edge.v, edge.cost_uv, edge.cost_vu) == (3, 4, 1, 4)
    instance = carp.to_instance(capacity=None)
    assert instance.is_windy
    assert instance.service_uv[1] == 1 and instance.service_vu[1] == 4
    assert instance.distance[2, 3] == 1
    assert instance.distance[3, 2] == 2  # 4 -> 5 -> 3 beats the windy 4 -> 3 at cost 4


def test_forbidden_direction_becomes_one_way(tmp_path):
    path = tmp_path / "mixed.dat"
    path.write_text(
        "NOMBRE : mixed\nVERTICES : 3\nARISTAS_REQ : 2\nARISTAS_NOREQ : 1\n"
        "LISTA_ARISTAS_REQ :\n(1,2) coste 3 9999\n(2,3) coste 2 2\n"
        "LISTA_ARISTAS_NOREQ :\n(3,1) coste 1 1\n"
    )
    instance = load_instance(path, capacity=None)
    assert instance.distance[0, 1] == 3
    assert instance.distance[1, 0] == 3  # 2 -> 3 -> 1, not back along the one-way arc


def test_bad_file_reports_every_problem_with_line_numbers(tmp_path):
    path = tmp_path / "bad.dat"
    path.write_text(
        " NOMBRE : bad\n VERTICES : 4\n ARISTAS_REQ : 3\n CAPACIDAD : 5\n"
        " LISTA_ARISTAS_REQ :\n ( 1, 2)  coste 3 demanda 1\n ( 2, 9)  coste 4 demanda 1\n"
        " ( 2, 3)  cost 4 demanda 1\n ( 3, 1)  coste 2 demanda 7\n DEPOSITO : 1\n"
    )
    with pytest.raises(InputFileError) as caught:
        read_carp(path)
    wheres = {p.where for p in caught.value.problems}
    assert {"line 7", "line 8", "line 9"} <= wheres  # vertex 9, typo 'cost', demand > capacity
    assert all(p.fix for p in caught.value.problems)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="cannot read"):
        read_carp(tmp_path / "nope.dat")
