"""A child process for the crash test: writes plans of many grids + audit rows, one transaction
per plan, through the service's own models, until it is killed.

    python -m tests.api.crash_writer DATABASE_URL GRIDS_PER_PLAN MODE

MODE ``halfway``: one transaction; print HALFWAY once half its rows reached the database
(flushed, not committed), then wait to be killed. MODE ``stream``: commit plan after plan
forever, printing COMMITTED <plan id> after each commit.
"""

from __future__ import annotations

import sys
import time

from shapely.geometry import box

from api.audit import grid_snapshot, record
from api.auth import Principal, Role
from api.db.models import Grid, GridPlan, utcnow
from api.db.session import Database

DISTRICT = "310101"
WRITER = Principal("crash-writer", Role.ADMIN)


def write_plan(db: Database, n: int, *, halfway_signal: bool) -> int:
    with db.session() as session:
        plan = GridPlan(name="crash", district_code=DISTRICT, status="proposal",
                        notes=f"expects {n} grids", created_by=WRITER.username)
        session.add(plan)
        session.flush()
        for i in range(n):
            x = 121.47 + (i % 50) * 1e-4
            grid = Grid(plan_id=plan.id, code=f"C{i:05d}", name="", jurisdiction_code=DISTRICT,
                        district_code=DISTRICT, geometry=box(x, 31.23, x + 1e-4, 31.2301),
                        station=None, staff={"enforcement": 3}, updated_by=WRITER.username,
                        updated_at=utcnow())
            session.add(grid)
            session.flush()
            record(session, WRITER, "create", "grid", grid.id, None, grid_snapshot(grid))
            if halfway_signal and i == n // 2:
                session.flush()
                print("HALFWAY", flush=True)
                time.sleep(600)  # killed here, mid-transaction
        return plan.id


def main() -> None:
    url, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = Database.connect(url)
    if mode == "halfway":
        write_plan(db, n, halfway_signal=True)
        return
    while True:
        plan_id = write_plan(db, n, halfway_signal=False)
        print("COMMITTED", plan_id, flush=True)


if __name__ == "__main__":
    main()
