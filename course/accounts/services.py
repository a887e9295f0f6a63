"""Account operations. Each takes a session and plain values, flushes, and never commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, exc, func, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import CourseError
from ..identity import ADMIN, ROLES, normalise_email
from ..names import NAME_RULE, clean_name
from .models import PasswordReset, User
from .passwords import hash_password, needs_rehash, password_problem, verify_password


class AccountError(CourseError):
    """An account operation was refused; the message is safe to show to the user."""


class InvalidName(AccountError):
    """The display name has nothing visible in it."""


class AccountExists(AccountError):
    """The address already has an account (the web page does not say so: see views)."""


@dataclass(frozen=True)
class PasswordPolicy:
    """Hashing parameters and the length rule, read from COURSE_* config."""

    argon2: tuple[int, int, int]
    min_length: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PasswordPolicy:
        """The policy the app is configured with."""
        return cls((int(config["COURSE_ARGON2_TIME_COST"]), int(config["COURSE_ARGON2_MEMORY_KIB"]),
                    int(config["COURSE_ARGON2_PARALLELISM"])),
                   int(config["COURSE_PASSWORD_MIN_LENGTH"]))


def find_user(db: Session, email: str) -> User | None:
    """The account with this address, or None."""
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(db: Session, policy: PasswordPolicy, *, email: str, password: str,
                display_name: str, role: str = "learner") -> User:
    """Create an account; AccountError if the address is taken or the password is weak."""
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}'. Choose one of: {', '.join(ROLES)}.")
    display_name = clean_name(display_name)
    if not display_name:
        raise InvalidName(NAME_RULE)
    problem = password_problem(password, policy.min_length, (email, display_name))
    if problem:
        raise AccountError(problem)
    # Hashed before the look-up, so a taken address costs the same time as a new one.
    password_hash = hash_password(password, policy.argon2)
    if find_user(db, email) is not None:
        raise AccountExists("An account with this email address already exists.")
    user = User(email=normalise_email(email), display_name=display_name,
                password_hash=password_hash, role=role)
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, policy: PasswordPolicy, email: str, password: str) -> User | None:
    """The user if the address and password match an active account; same cost when they don't."""
    user = find_user(db, email)
    ok = verify_password(user.password_hash if user else None, password, policy.argon2)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash, policy.argon2):
        user.password_hash = hash_password(password, policy.argon2)
    record_login(db, user)
    return user


def record_login(db: Session, user: User) -> None:
    """Note a log-in that the user made just now (with their password, or by creating their
    account). A remember-me cookie bringing a session back is not one: it is not recorded."""
    user.last_login_at = utcnow()
    db.flush()


def set_password(db: Session, policy: PasswordPolicy, user: User, password: str) -> None:
    """Replace the password, end every session of the user, and void open reset links."""
    problem = password_problem(password, policy.min_length, (user.email, user.display_name))
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password, policy.argon2)
    user.password_changed_at = utcnow()
    user.rotate_session_token()
    db.execute(update(PasswordReset)
               .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=utcnow()))
    db.flush()


def change_password(db: Session, policy: PasswordPolicy, user: User, current: str,
                    new: str) -> None:
    """Change the password after checking the current one."""
    if not verify_password(user.password_hash, current, policy.argon2):
        raise AccountError("Your current password is not right.")
    set_password(db, policy, user, new)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_token(db: Session, user: User, hours: int) -> str:
    """A new single-use reset token for `user`, valid for `hours`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(PasswordReset(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                         expires_at=now + timedelta(hours=hours)))
    db.flush()
    return token


def find_reset(db: Session, token: str) -> PasswordReset | None:
    """The unused, unexpired reset record for `token`, or None."""
    if not token or len(token) > 100:
        return None
    reset = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(db: Session, policy: PasswordPolicy, token: str, password: str) -> User:
    """Use a reset token once to set a new password; AccountError if it is not valid."""
    reset = find_reset(db, token)
    user = db.get(User, reset.user_id) if reset else None
    if reset is None or user is None or not user.active:
        raise AccountError("This reset link is not valid any more. Ask for a new one.")
    # Claim the token with a conditional update so two concurrent uses cannot both succeed.
    claimed = db.execute(update(PasswordReset)
                         .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                         .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise AccountError("This reset link is not valid any more. Ask for a new one.")
    set_password(db, policy, user, password)
    return user


def set_active(db: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions."""
    user.active = active
    user.rotate_session_token()
    db.flush()


def has_admin(db: Session) -> bool:
    """True if any active administrator exists."""
    return db.scalar(select(User.id).where(User.role == ADMIN, User.active).limit(1)) is not None


def delete_user(db: Session, user_id: str) -> None:
    """Delete a standalone account (its password resets too): the account is closed."""
    user = db.scalar(select(User).where(User.id == int(user_id))) if user_id.isdigit() else None
    if user is None:
        return
    if user.role == ADMIN and db.scalar(select(func.count()).select_from(User).where(
            User.role == ADMIN, User.active)) <= 1:
        raise AccountError("You are the only administrator: appoint another one first.")
    db.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.delete(user)
    db.flush()


# ------------------------------------------------------------------ name and email
EMAIL_CHANGE_SALT = "course-email-change"
EMAIL_TAKEN = "Another account already uses this email address. Choose a different one."


def change_display_name(db: Session, user: User, name: str) -> str:
    """Set the user's display name (cleaned); InvalidName when nothing visible is left."""
    cleaned = clean_name(name)
    if not cleaned:
        raise InvalidName(NAME_RULE)
    user.display_name = cleaned
    db.flush()
    return cleaned


def email_change_token(secret_key: str, user: User, new_email: str) -> str:
    """A signed link token for moving `user` to `new_email`. It names the address it replaces,
    so it works once: after the change (or any other change) the old address no longer
    matches."""
    return URLSafeTimedSerializer(secret_key, salt=EMAIL_CHANGE_SALT).dumps(
        {"user": user.id, "old": user.email, "new": normalise_email(new_email)})


def read_email_change(secret_key: str, token: str, max_age_seconds: int) -> dict | None:
    """The change a token asks for, or None when it is forged, altered or expired."""
    if not token or len(token) > 1000:
        return None
    try:
        data = URLSafeTimedSerializer(secret_key, salt=EMAIL_CHANGE_SALT).loads(
            token, max_age=max_age_seconds)
    except BadSignature:  # SignatureExpired is one too
        return None
    return data if isinstance(data, dict) and {"user", "old", "new"} <= set(data) else None


def change_email(db: Session, user: User, change: dict) -> str:
    """Apply a confirmed change of address; AccountError when the link no longer applies,
    AccountExists when another account took the address meanwhile. Returns the old address."""
    if change["user"] != user.id or change["old"] != user.email:
        raise AccountError("This link is no longer valid: your address changed since it was "
                           "sent, or it was used already.")
    if find_user(db, change["new"]) is not None:
        raise AccountExists(EMAIL_TAKEN)
    old = user.email
    user.email = change["new"]
    try:
        with db.begin_nested():
            db.flush()
    except exc.IntegrityError as error:  # taken between the check and the write
        user.email = old
        raise AccountExists(EMAIL_TAKEN) from error
    # Reset links sent to the old address stop working: whoever still reads that mailbox
    # cannot take the account back with one.
    db.execute(update(PasswordReset)
               .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=utcnow()))
    db.flush()
    return old
