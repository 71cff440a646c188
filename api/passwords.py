"""Password rules, the same for every way a password is set (new user, change, reset, the admin
created from ``GRIDPLAN_ADMIN_PASSWORD``): at least ``MIN_LENGTH`` characters, not one of the
~20,000 most common passwords (``api/data/common-passwords.txt.gz``, see its SOURCE.md), not the
username. Length beats composition rules (NIST SP 800-63B): no "one digit, one symbol" demands.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from gridplan.errors import InvalidInputError, Problem

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problems(password: str, *, username: str = "", source: str = "password"
                      ) -> list[Problem]:
    fix = "use a passphrase of several unrelated words"
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(Problem(source, "", f"{MIN_LENGTH} to {MAX_LENGTH} characters",
                                f"{len(password)} characters", fix))
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        problems.append(Problem(source, "", "a password not on the list of common passwords",
                                "a common password", fix))
    if len(username) >= 3 and username.lower() in folded:
        problems.append(Problem(source, "", "a password without the username in it",
                                "the username", fix))
    return problems


def check_password(password: str, *, username: str = "", source: str = "password") -> None:
    """Raise :class:`InvalidInputError` (422 in the service) listing every rule broken."""
    problems = password_problems(password, username=username, source=source)
    if problems:
        raise InvalidInputError("password too weak", problems)
