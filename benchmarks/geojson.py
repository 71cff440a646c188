"""GeoJSON of grid outlines, the way every grid read makes it: ours vs shapely's two ways.

    .venv/bin/python -m benchmarks.geojson [--repeat 2000]

For the bundled sample's grid outlines and for discs of 65, 401 and 1601 vertices (a small,
a typical and a detailed outline), CPU microseconds per geometry of:

* ``mapping`` — ``shapely.geometry.mapping``: a Python tuple per vertex (the service before);
* ``to_geojson`` — ``shapely.to_geojson``: GEOS writes the JSON text (then parsed, as a
  response model needs a dict; the text alone is also shown);
* ``ours`` — :func:`api.geo.to_geojson`: one ``get_coordinates`` array per ring, paired into tuples.

Every method's output is checked equal to ``mapping``'s first.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from api.geo import to_geojson


def cpu_us(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    started = time.process_time()
    for _ in range(repeat):
        fn()
    return 1e6 * (time.process_time() - started) / repeat


def cases() -> dict[str, list[BaseGeometry]]:
    from geodata import sample

    return {"sample grids (mean)": list(sample.grids().to_crs(4326).geometry),
            **{f"disc {4 * q + 1} vertices": [Point(121.47, 31.23).buffer(0.01, quad_segs=q)]
               for q in (16, 100, 400)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    print(f"\nGeoJSON of one geometry, CPU us (mean of {args.repeat} runs)\n")
    header = (f"{'geometry':<22} {'mapping':>8} {'to_geojson text':>15} {'to_geojson dict':>15} "
              f"{'ours':>7} {'mapping/ours':>12}")
    print(header)
    print("-" * len(header))
    for name, geometries in cases().items():
        for g in geometries:
            expected = json.loads(json.dumps(mapping(g)))
            assert json.loads(json.dumps(to_geojson(g))) == expected, name
            assert json.loads(shapely.to_geojson(g)) == expected, name
        n = len(geometries)
        reps = max(1, args.repeat // n)
        methods = (mapping, shapely.to_geojson, lambda g: json.loads(shapely.to_geojson(g)),
                   to_geojson)
        times = [sum(cpu_us(lambda g=g, f=f: f(g), reps) for g in geometries) / n
                 for f in methods]
        print(f"{name:<22} {times[0]:>8.1f} {times[1]:>15.1f} {times[2]:>15.1f} "
              f"{times[3]:>7.1f} {times[0] / times[3]:>11.1f}x")


if __name__ == "__main__":
    main()
