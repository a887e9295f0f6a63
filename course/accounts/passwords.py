"""Password hashing with Argon2id (pure: no Flask, no database)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@lru_cache(maxsize=8)
def hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """An Argon2id hasher with these parameters (cached: building one is not free)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


@lru_cache(maxsize=8)
def dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    return hasher(time_cost, memory_kib, parallelism).hash("not a real password")


def hash_password(password: str, params: tuple[int, int, int]) -> str:
    """The Argon2id hash of `password`."""
    return hasher(*params).hash(password)


def verify_password(stored: str | None, password: str, params: tuple[int, int, int]) -> bool:
    """True if `password` matches `stored`; with no stored hash, spend the same time and fail."""
    try:
        return hasher(*params).verify(stored or dummy_hash(*params), password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, params: tuple[int, int, int]) -> bool:
    """True when `stored` was made with other parameters than the configured ones."""
    return hasher(*params).check_needs_rehash(stored)


def password_problem(password: str, min_length: int) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > 1024:
        return "Use at most 1024 characters."
    if len(set(password)) < 4:
        return "Use more than three different characters."
    return None
