"""The bundled sample's derived files are what their generators make (they cannot drift)."""

from __future__ import annotations

import pandas as pd

from geodata import sample


def test_the_shipped_incident_export_is_the_generators() -> None:
    shipped = pd.read_csv(sample.INCIDENTS_GCJ02_FILE, dtype={"id": str})
    made = sample.incidents_export().reset_index(drop=True)
    assert list(shipped.columns) == list(made.columns)
    assert shipped["id"].tolist() == made["id"].tolist()
    assert shipped["time"].tolist() == made["time"].astype(str).tolist()
    assert (shipped[["lon", "lat"]].to_numpy() == made[["lon", "lat"]].to_numpy()).all()
