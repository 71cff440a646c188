"""Uploaded files: streamed to disk under the size limit and the uploader's quota, typed by their
content, named by content, loader errors relabelled, orphans cleaned at start.

An upload is written to a temporary file in ``<data_dir>/uploads`` while its SHA-256 is computed,
then renamed to ``<sha256><suffix>`` (atomic on one filesystem), so a crash never leaves a
half-written file under a final name and the same file uploaded twice is stored once. The suffix
comes from the bytes (:func:`sniff`), never from the client's file name: a ``.osm`` that is a
PNG is refused with 415, a ``.txt`` that is OSM XML is taken as OSM XML.
"""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import gzip
import hashlib
import os
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException, UploadFile, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridplan.errors import GridPlanError, InvalidInputError, Problem

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024  # what sniffing looks at
TEMP_PREFIX = ".upload-"
OSM_KINDS = {".osm": "OSM XML", ".osm.bz2": "bzip2 OSM XML", ".osm.gz": "gzip OSM XML",
             ".osm.pbf": "OSM PBF"}
INCIDENT_KINDS = {".csv": "CSV", ".geojson": "GeoJSON", ".gpkg": "GeoPackage"}
GRID_LAYOUT_KINDS = {".geojson": "GeoJSON", ".gpkg": "GeoPackage"}
TRACK_KINDS = {".gpx": "GPX", ".csv": "CSV", ".geojson": "GeoJSON"}


@dataclass(frozen=True, slots=True)
class SavedUpload:
    path: Path
    sha256: str
    size_bytes: int
    filename: str  # as the client named it


# --- what the bytes are -------------------------------------------------------------------------

def _text_start(head: bytes) -> bytes:
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _is_osm_xml(head: bytes) -> bool:
    start = _text_start(head)
    return start.startswith(b"<osm") or (start.startswith(b"<?xml") and b"<osm" in start[:4096])


def _is_gpx(head: bytes) -> bool:
    start = _text_start(head)
    return start.startswith(b"<gpx") or (start.startswith(b"<?xml") and b"<gpx" in start[:4096])


def _inflated_head(path: Path, suffix: str) -> bytes:
    """The first bytes of a compressed file's content (bounded: a bomb cannot blow up here)."""
    opener = bz2.open if suffix == ".osm.bz2" else gzip.open
    try:
        with opener(path, "rb") as stream:
            return stream.read(HEAD_BYTES)
    except (OSError, EOFError, ValueError, zlib.error):
        return b""


def _is_pbf(head: bytes) -> bool:
    # A PBF starts with the length of its first BlobHeader, whose field 1 is the type "OSMHeader".
    if len(head) < 15:
        return False
    (length,) = struct.unpack(">I", head[:4])
    return 0 < length < 64 * 1024 and head[4] == 0x0A and head[6:15] == b"OSMHeader"


BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})  # control bytes text never has


def _is_text(head: bytes) -> bool:
    if head.translate(None, BINARY_BYTES) != head:
        return False
    for cut in range(4):  # the head may end inside a multi-byte character
        for encoding in ("utf-8", "gb18030"):
            with contextlib.suppress(UnicodeDecodeError):
                head[:len(head) - cut].decode(encoding)
                return True
    return False


def sniff(path: Path) -> str | None:
    """The upload suffix the content of ``path`` says (``.osm``, ``.osm.bz2``, …, ``.csv``), or
    None when it is none of them."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if _is_pbf(head):
        return ".osm.pbf"
    for magic, suffix in ((b"BZh", ".osm.bz2"), (b"\x1f\x8b", ".osm.gz")):
        if head.startswith(magic):
            return suffix if _is_osm_xml(_inflated_head(path, suffix)) else None
    if head.startswith(b"SQLite format 3\x00"):
        return ".gpkg"
    if _is_osm_xml(head):
        return ".osm"
    if _is_gpx(head):
        return ".gpx"
    if _text_start(head).startswith(b"{"):
        return ".geojson"
    if _text_start(head).startswith(b"<"):
        return None  # XML or HTML that is neither OSM nor GPX (KML, a web page …): not a table
    if head and _is_text(head):
        return ".csv"
    return None


# --- saving --------------------------------------------------------------------------------------

def quota_left(session: Session, username: str, quota_bytes: int) -> int:
    """Bytes ``username`` may still upload (networks and incident sets they created count)."""
    from api.db.models import IncidentSet, StreetNetworkRecord

    used = 0
    for table in (StreetNetworkRecord, IncidentSet):
        used += session.scalar(select(func.coalesce(func.sum(table.size_bytes), 0)).where(
            table.created_by == username)) or 0
    return max(0, quota_bytes - int(used))


def save_upload(file: UploadFile, *, folder: Path, kinds: dict[str, str], max_bytes: int,
                quota_bytes: int | None = None) -> SavedUpload:
    """Stream ``file`` to ``folder/<sha256><suffix>`` with the suffix its content says; 413 past
    ``max_bytes`` or the uploader's remaining ``quota_bytes``; 415 if the content is none of
    ``kinds``."""
    folder.mkdir(parents=True, exist_ok=True)
    limit = max_bytes if quota_bytes is None else min(max_bytes, quota_bytes)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            digest, size = _copy(file.file, out, limit, over_quota=limit < max_bytes)
        suffix = sniff(Path(tmp))
        if suffix not in kinds:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail=(
                f"{file.filename or 'upload'!r}: the content is not {' or '.join(kinds.values())}"))
        final = folder / f"{digest}{suffix}"
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return SavedUpload(final, digest, size, file.filename or "upload")


def _copy(source: BinaryIO, out: BinaryIO, limit: int, *, over_quota: bool) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            why = "your upload quota" if over_quota else "the upload limit"
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                detail=f"upload larger than {why} ({limit} bytes)")
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def loader_errors_named(saved: SavedUpload, *, keep_file: bool) -> Iterator[None]:
    """Loader problems name the client's file, not our storage path; a refused file is removed
    (unless another record already uses the same content)."""
    try:
        yield
    except GridPlanError as exc:
        if not keep_file:
            with contextlib.suppress(FileNotFoundError):
                saved.path.unlink()
        raise relabelled(exc, str(saved.path), saved.filename) from None


def relabelled(exc: GridPlanError, stored: str, filename: str) -> GridPlanError:
    """``exc`` with our storage path replaced by the client's file name everywhere."""
    exc.problems = [dataclasses.replace(
        p, source=p.source.replace(stored, filename),
        found=p.found.replace(stored, filename)) for p in exc.problems]
    if exc.args:
        exc.args = (str(exc.args[0]).replace(stored, filename), *exc.args[1:])
    return exc


# --- bombs ---------------------------------------------------------------------------------------

def check_decompressed_size(path: Path, *, limit: int) -> None:
    """Raise :class:`InvalidInputError` if ``path`` (OSM XML, .bz2, .gz or PBF) holds more than
    ``limit`` bytes once decompressed. Streams with bounded memory; stops at the limit, so a
    4 KB file claiming a gigabyte costs ``limit`` bytes of decompression, no more."""
    name = path.name
    if name.endswith(".osm.pbf"):
        total = _pbf_inflated_size(path, limit)
    elif name.endswith((".osm.bz2", ".osm.gz")):
        opener = bz2.open if name.endswith(".bz2") else gzip.open
        total = 0
        try:
            with opener(path, "rb") as stream:
                while (chunk := stream.read(CHUNK_BYTES)) and total <= limit:
                    total += len(chunk)
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            raise _unreadable(path, exc) from None
    else:
        total = path.stat().st_size
    if total > limit:
        raise InvalidInputError("OSM file too large once decompressed", [Problem(
            str(path), "", f"at most {limit} bytes of OSM data once decompressed",
            f"more than {limit} bytes", "upload a smaller extract (osmium extract --bbox …), or "
            "ask the administrator to raise GRIDPLAN_MAX_DECOMPRESSED_BYTES")])


def _unreadable(path: Path, exc: Exception) -> InvalidInputError:
    return InvalidInputError("cannot decompress", [Problem(
        str(path), "", "a complete compressed OSM file", f"{type(exc).__name__}: {exc}",
        "upload the file again; check it with `osmium fileinfo`")])


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            return value, i
        shift += 7


def _blob_raw(blob: bytes) -> bytes | None:
    """The zlib data of a PBF Blob (field 3), or its raw bytes (field 1)."""
    i = 0
    while i < len(blob):
        key, i = _varint(blob, i)
        field, wire = key >> 3, key & 7
        if wire == 2:
            length, i = _varint(blob, i)
            if field in (1, 3):
                return blob[i:i + length] if field == 3 else None
            i += length
        elif wire == 0:
            _, i = _varint(blob, i)
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return b""


def _pbf_inflated_size(path: Path, limit: int) -> int:
    """Bytes of a PBF's blocks once inflated, counted by inflating (not by trusting raw_size)."""
    total = 0
    try:
        with path.open("rb") as f:
            while total <= limit and (prefix := f.read(4)):
                header = f.read(struct.unpack(">I", prefix)[0])
                datasize = _header_datasize(header)
                blob = f.read(datasize)
                data = _blob_raw(blob)
                if data is None:  # stored uncompressed
                    total += datasize
                    continue
                inflater = zlib.decompressobj()
                total += len(inflater.decompress(data, limit + 1 - total))
    except (OSError, ValueError, IndexError, struct.error, zlib.error) as exc:
        raise _unreadable(path, exc) from None
    return total


def _header_datasize(header: bytes) -> int:
    i = 0
    while i < len(header):
        key, i = _varint(header, i)
        if key & 7 == 2:
            length, i = _varint(header, i)
            i += length
        elif key & 7 == 0:
            value, i = _varint(header, i)
            if key >> 3 == 3:
                return value
        else:
            raise ValueError("bad BlobHeader")
    raise ValueError("BlobHeader without datasize")


# --- start-up ------------------------------------------------------------------------------------

def referenced_files(session: Session) -> set[str]:
    """Every upload file a record names."""
    from api.db.models import IncidentSet, StreetNetworkRecord

    return {path for table in (StreetNetworkRecord, IncidentSet)
            for path in session.scalars(select(table.file_path))}


def clean_orphans(folder: Path, referenced: set[str], *, min_age_s: float) -> list[Path]:
    """Remove what a crash left in ``folder``: temporary upload files, and stored files no record
    names. Only files older than ``min_age_s`` (another process may be mid-upload)."""
    if not folder.is_dir():
        return []
    removed, now = [], time.time()
    for path in folder.iterdir():
        if not path.is_file() or now - path.stat().st_mtime < min_age_s:
            continue
        if path.name.startswith(TEMP_PREFIX) or str(path) not in referenced:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed
