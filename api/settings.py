"""Service settings, read from the environment (and nothing else) when the app is built.

One setting chooses the database: ``DATABASE_URL``. The default is an embedded SQLite file under
``GRIDPLAN_DATA_DIR`` (no server needed); production points it at PostgreSQL + PostGIS, e.g.
``postgresql+psycopg://gridplan:secret@127.0.0.1:5432/gridplan``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.auth import password_hasher

MIN_SECRET_BYTES = 32  # HS256 keys shorter than the hash output can be brute-forced offline


def check_secret(key: str, source: str) -> str:
    """``key`` if it is long enough to sign tokens, else a ValueError that stops the start."""
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"{source}: the token signing key is {len(key.encode())} bytes; it needs "
                         f"at least {MIN_SECRET_BYTES} (e.g. python -c 'import secrets; "
                         "print(secrets.token_urlsafe(48))')")
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDPLAN_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path(".cache/gridplan"), description="uploads, secret, SQLite")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "GRIDPLAN_DATABASE_URL"),
        description="SQLAlchemy URL; empty = sqlite file <data_dir>/gridplan.sqlite",
    )
    secret_key: str = Field(default="", description="JWT signing key; empty = generated once "
                            "and kept in <data_dir>/secret_key")
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_json_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    upload_quota_bytes: int = Field(default=2 * 1024**3, ge=1024,
                                    description="what one user may upload in all")
    # Uploaded OSM files are parsed by a network_parse job in a capped child process.
    max_decompressed_bytes: int = Field(default=1024**3, ge=1024,
                                        description="OSM data once decompressed (bz2/gz/PBF)")
    network_parse_timeout_s: float = Field(default=600.0, gt=0)
    network_parse_memory_mb: int = Field(default=4096, ge=256)
    job_workers: int = Field(default=2, ge=1, le=32, description="worker processes of the "
                             "embedded engine cluster (ignored with a scheduler)")
    scheduler: str = Field(default="", description="Dask scheduler running the jobs, e.g. "
                           "tcp://10.0.0.5:8786; empty = an embedded local cluster")
    engine_processes: bool = Field(default=True, description="embedded cluster of worker "
                                   "processes (False: threads of the API process, tests only)")
    engine_at_start: bool = Field(default=False, description="start the engine with the "
                                  "service (gridplan serve does), not at the first job")
    request_threads: int = Field(default=8, ge=1, le=200, description="threads running the "
                                 "requests' database work (anyio's default is 40; reads are "
                                 "mostly Python under one GIL, where more threads only queue "
                                 "for it and slow the event loop's hand-offs)")
    read_cache_mb: int = Field(default=32, ge=0, le=4096, description="rendered JSON of "
                               "grids kept per API process, by row version (api/read_cache.py)"
                               "; 0 = render every read")
    job_lease_s: float = Field(default=30.0, ge=0.5, le=3600, description="a job whose process "
                               "has not renewed its lease this long is recovered")
    admin_password: str = Field(default="", description="creates user 'admin' at start if set")
    cache_dir: Path | None = Field(default=None, description="network cache; empty = "
                                   "<data_dir>/cache")
    load_sample: bool = Field(default=False, description="load the bundled sample at start")
    run_migrations: bool = Field(default=True, description="alembic upgrade head at start")
    # argon2id cost: the defaults follow RFC 9106's low-memory profile; tests set them cheap.
    password_time_cost: int = Field(default=3, ge=1, le=20)
    password_memory_kib: int = Field(default=64 * 1024, ge=8, le=4 * 1024 * 1024)
    web_tiles: str = Field(default="", description="tile URL template for the web app's maps "
                           "(an intranet or Amap/Tencent server); empty = street vectors only")
    web_tiles_datum: Literal["wgs84", "gcj02"] = Field(
        default="wgs84", description="datum of web_tiles: gcj02 shifts the data onto Amap/Tencent")

    # Login abuse control (api.login_guard): attempts per sliding window, then 429.
    login_attempts_per_account_address: int = Field(default=10, ge=1)
    login_attempts_per_address: int = Field(default=30, ge=1)
    login_attempts_per_account: int = Field(default=100, ge=1)
    login_window_s: float = Field(default=900.0, gt=0)
    login_hash_workers: int = Field(default=0, ge=0, le=64,
                                    description="password checks at once; 0 = half the cores")
    login_hash_queue: int = Field(default=8, ge=0, le=1000,
                                  description="logins waiting for a check; more get 429")
    login_refusal_delay_s: float = Field(default=0.5, ge=0, le=10, description="a 429 to a "
                                         "login waits this long: slows attackers, costs nothing")

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        return check_secret(value, "GRIDPLAN_SECRET_KEY") if value else value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'gridplan.sqlite'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def effective_cache_dir(self) -> Path:
        """Where parsed street networks are cached (GeoPackage keyed by file hash)."""
        return self.cache_dir or self.data_dir / "cache"

    @property
    def effective_login_hash_workers(self) -> int:
        return self.login_hash_workers or max(1, (os.cpu_count() or 1) // 2)

    @property
    def hasher(self) -> PasswordHasher:
        return password_hasher(time_cost=self.password_time_cost,
                               memory_kib=self.password_memory_kib)


@lru_cache(maxsize=1)
def settings_from_env() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
