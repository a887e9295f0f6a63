"""Password hashing with Argon2id (pure: no Flask, no database)."""

from __future__ import annotations

import re
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


def password_problem(password: str, min_length: int,
                     personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` is not acceptable, or None. `personal`: the account's email and name,
    which a password should not be built from."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > 1024:
        return "Use at most 1024 characters."
    if len(set(password)) < 4:
        return "Use more than three different characters."
    if is_common(password, personal):
        return COMMON_PASSWORD
    return None


COMMON_PASSWORD = ("This password is too common: it is on the lists attackers try first, or "
                   "close to one. Choose another; a short sentence of your own works well.")
#: zxcvbn reads at most this many characters; common-password lists hold nothing longer.
ZXCVBN_MAX = 72
_LIST_WORDS = ("passwords", "user_inputs")


def is_common(password: str, personal: tuple[str, ...] = ()) -> bool:
    """True when zxcvbn (its common-password list of 30,000, with l33t, reversed and keyboard
    variants) finds `password` guessable in under a million tries, or finds it is nothing but
    listed passwords or the user's own details plus digits and symbols (`P@ssw0rd2024!`)."""
    if len(password) > ZXCVBN_MAX:
        return False
    from zxcvbn import zxcvbn

    words = [text.lower() for text in personal] + [
        w for text in personal for w in re.split(r"[\W_]+", text.lower()) if len(w) > 2]
    result = zxcvbn(password, user_inputs=words)
    if result["score"] < 2:
        return True
    found = [m for m in result["sequence"] if m["pattern"] == "dictionary"]
    rest = [m for m in result["sequence"] if m["pattern"] != "dictionary"]
    return bool(found) and all(m.get("dictionary_name") in _LIST_WORDS for m in found) and all(
        not any(ch.isalpha() for ch in m["token"]) for m in rest)
