"""The ``network_parse`` job: an uploaded OSM file is parsed off the request, in a child process
with caps on its decompressed size, memory and time.

The audit's bombs — a 4.5 KB ``.osm.bz2`` expanding to 1 GiB, a 374 KB ``.osm.gz`` taking a
minute and 260 MB inside the request — now cost the request only the upload itself. The job
streams the file through :func:`api.uploads.check_decompressed_size` (stops at the limit), then
runs :func:`geodata.osm.load_network` in a child process limited to
``GRIDPLAN_NETWORK_PARSE_MEMORY_MB`` of address space and killed after
``GRIDPLAN_NETWORK_PARSE_TIMEOUT_S`` (a thread cannot be stopped; a process can). The child
fills the network cache, so later jobs load the parsed network from there.

Run as ``python -m api.network_parse PATH MODE CACHE_DIR MAX_BYTES MEMORY_MB`` it is that child:
one JSON line on stdout, ``{"ok": true, "summary": …}`` or ``{"ok": false, "message": …,
"problems": […]}``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.db.models import StreetNetworkRecord
from api.jobs import JobContext
from api.schemas.common import RowId
from api.uploads import check_decompressed_size, relabelled
from gridplan.errors import GridPlanError, InvalidInputError, Problem
from gridplan.progress import Cancelled

ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.25


class NetworkParseParams(BaseModel):
    network_id: RowId


def authorize_parse(session: Session, principal: Principal, p: NetworkParseParams) -> None:
    """Who may upload the network may (re)parse it."""
    from api.lookups import network_or_404
    from api.policy import check_edit_district, district_of, require_role

    net = network_or_404(session, p.network_id)
    if net.jurisdiction_code is None:
        require_role(principal, Role.ADMIN)
    else:
        check_edit_district(principal, district_of(session, net.jurisdiction_code))


def run_network_parse(ctx: JobContext, p: NetworkParseParams) -> dict[str, Any]:
    """Parse an uploaded street network (capped size, memory and time) and record its summary."""
    with ctx.db.session() as session:
        rec = session.get_one(StreetNetworkRecord, p.network_id)
        path, mode, source = Path(rec.file_path), rec.mode, rec.summary.get("source", "upload")
    s = ctx.settings
    try:
        summary = parse_in_child(path, mode=mode, cache_dir=s.effective_cache_dir,
                                 max_bytes=s.max_decompressed_bytes,
                                 memory_mb=s.network_parse_memory_mb,
                                 timeout_s=s.network_parse_timeout_s,
                                 should_cancel=ctx.should_cancel)
    except Exception as exc:  # any end but a parsed network: the network must not stay parsing
        message = (str(exc) if isinstance(exc, GridPlanError | Cancelled)
                   else f"the parse stopped on an internal error ({type(exc).__name__})")
        with ctx.db.session() as session:
            _set(session, p.network_id, "failed", {"source": source, "error": message[:2000]})
            _remove_unless_used(session, path, p.network_id)
        if isinstance(exc, GridPlanError):
            raise relabelled(exc, str(path), source) from None
        raise
    summary = {**summary, "source": source}  # the client's file name, not our storage path
    with ctx.db.session() as session:
        _set(session, p.network_id, "ready", summary)
    return {"network_id": p.network_id, "summary": summary}


def network_parse_given_up(session: Session, params: dict[str, Any], message: str) -> None:
    """The job ended without parsing (lost past its retries, no engine, cancelled while
    queued): its network, still "parsing", is marked failed with why and what to do."""
    rec = session.get(StreetNetworkRecord, params.get("network_id"))
    if rec is None or rec.status != "parsing":
        return
    source = rec.summary.get("source", "upload")
    _set(session, rec.id, "failed", {"source": source, "error": (
        f"the network was not parsed: its network_parse job ended early ({message}); upload "
        "the file again")[:2000]})
    _remove_unless_used(session, Path(rec.file_path), rec.id)


def _set(session: Session, network_id: int, status: str, summary: dict[str, Any]) -> None:
    session.execute(update(StreetNetworkRecord).where(StreetNetworkRecord.id == network_id)
                    .values(status=status, summary=summary))


def _remove_unless_used(session: Session, path: Path, network_id: int) -> None:
    others = session.scalar(select(StreetNetworkRecord.id).where(
        StreetNetworkRecord.file_path == str(path), StreetNetworkRecord.id != network_id,
        StreetNetworkRecord.status != "failed").limit(1))
    if others is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def parse_in_child(path: Path, *, mode: str, cache_dir: Path, max_bytes: int, memory_mb: int,
                   timeout_s: float, should_cancel: Callable[[], bool]) -> dict[str, Any]:
    """The network summary of ``path``, parsed by a capped child process (see module doc)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.Popen([sys.executable, "-m", "api.network_parse", str(path), mode,
                             str(cache_dir), str(max_bytes), str(memory_mb)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            out, err = proc.communicate(timeout=POLL_S)
            break
        except subprocess.TimeoutExpired:
            if should_cancel() or time.monotonic() > deadline:
                proc.kill()
                proc.communicate()
                if should_cancel():
                    raise Cancelled("network parse cancelled") from None
                raise _problem(path, "parsing took too long", f"parsed within {timeout_s:g} s",
                               "still parsing when stopped", "upload a smaller extract, or ask "
                               "the administrator to raise GRIDPLAN_NETWORK_PARSE_TIMEOUT_S"
                               ) from None
    return _answer(path, proc.returncode, out, err)


def _answer(path: Path, code: int, out: bytes, err: bytes) -> dict[str, Any]:
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise _problem(path, "the parser stopped", "a parse that ends normally",
                       f"exit status {code}", "upload a smaller extract, or ask the "
                       "administrator to raise GRIDPLAN_NETWORK_PARSE_MEMORY_MB") from None
    if answer["ok"]:
        return dict(answer["summary"])
    raise InvalidInputError(answer["message"], [Problem(**p) for p in answer["problems"]])


def _problem(path: Path, message: str, expected: str, found: str, fix: str) -> InvalidInputError:
    return InvalidInputError(message, [Problem(str(path), "", expected, found, fix)])


# --- the child ----------------------------------------------------------------------------------

def _limit_memory(memory_mb: int) -> None:
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def child(argv: list[str]) -> dict[str, Any]:
    path, mode, cache_dir, max_bytes, memory_mb = argv
    _limit_memory(int(memory_mb))
    try:
        from geodata.osm import load_network, network_summary

        check_decompressed_size(Path(path), limit=int(max_bytes))
        net = load_network(path, mode=mode, cache_dir=cache_dir)  # type: ignore[arg-type]
        return {"ok": True, "summary": network_summary(net)}
    except GridPlanError as exc:
        return {"ok": False, "message": str(exc.args[0]) if exc.args else "invalid OSM file",
                "problems": [dataclasses.asdict(p) for p in exc.problems]}
    except MemoryError:
        return {"ok": False, "message": "the OSM file needs too much memory", "problems": [
            dataclasses.asdict(Problem(path, "", f"parsed within {memory_mb} MB", "more",
                                       "upload a smaller extract, or ask the administrator to "
                                       "raise GRIDPLAN_NETWORK_PARSE_MEMORY_MB"))]}


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1:]), ensure_ascii=False, default=str))
