"""Uploaded files: streamed to disk under the size limit, named by content, loader errors relabelled.

An upload is written to a temporary file in ``<data_dir>/uploads`` while its SHA-256 is computed,
then renamed to ``<sha256><suffix>`` (atomic on one filesystem), so a crash never leaves a
half-written file under a final name and the same file uploaded twice is stored once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile, status

from gridplan.errors import GridPlanError

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class SavedUpload:
    path: Path
    sha256: str
    size_bytes: int
    filename: str  # as the client named it


def suffix_of(filename: str, allowed: tuple[str, ...], *, what: str) -> str:
    """The longest allowed suffix ``filename`` ends with, else 415."""
    lower = filename.lower()
    for suffix in sorted(allowed, key=len, reverse=True):
        if lower.endswith(suffix):
            return suffix
    raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                        detail=f"{filename!r}: expected {what} ({', '.join(allowed)})")


def save_upload(file: UploadFile, *, folder: Path, suffix: str, max_bytes: int) -> SavedUpload:
    """Stream ``file`` to ``folder/<sha256><suffix>``; 413 once it passes ``max_bytes``."""
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := file.file.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                        detail=f"upload larger than {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
        final = folder / f"{digest.hexdigest()}{suffix}"
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return SavedUpload(final, digest.hexdigest(), size, file.filename or "upload")


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
        stored = str(saved.path)
        exc.problems = [dataclasses.replace(
            p, source=p.source.replace(stored, saved.filename),
            found=p.found.replace(stored, saved.filename)) for p in exc.problems]
        if exc.args:
            exc.args = (str(exc.args[0]).replace(stored, saved.filename), *exc.args[1:])
        raise
