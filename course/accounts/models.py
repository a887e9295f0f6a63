"""Tables of the standalone accounts: users and password-reset tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..identity import ADMIN, LEARNER, ROLES


def new_session_token() -> str:
    """A fresh random token; changing it ends every session and remember cookie of the user."""
    return secrets.token_urlsafe(24)


class AccountIdentity:
    """What Flask-Login and the plugin's identity hooks read of an account, from its `id`,
    `session_token`, `login_stamp`, `active`, `role` and `display_name`: the ORM row (`User`)
    and the signed-in account a request reads (`accounts.login.SignedIn`) both answer so."""

    __slots__ = ()

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Session identity: the id plus the current token, so rotating the token revokes it,
        plus the sign-in's time, so the session and remember cookie end at the absolute
        lifetime."""
        stamp = f":{self.login_stamp}" if self.login_stamp else ""
        return f"{self.id}:{self.session_token}{stamp}"

    # The plugin's identity hooks read these.
    @property
    def course_user_id(self) -> str:
        return str(self.id)

    @property
    def course_roles(self) -> set[str]:
        return set(ROLES) if self.role == ADMIN else {LEARNER, self.role}

    @property
    def course_display_name(self) -> str:
        return self.display_name


class User(AccountIdentity, Base):
    """A standalone account. Its `get_id()` carries a rotating token so sessions can be revoked."""

    __tablename__ = "course_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=LEARNER)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the current sign-in happened (epoch seconds; not stored): set at log-in and read
    #: back from the session or remember cookie, so `get_id()` carries it (accounts.login).
    login_stamp = None

    def record(self) -> User:
        """This row (the signed-in account, `accounts.login.SignedIn`, answers with its row)."""
        return self

    def rotate_session_token(self) -> None:
        """End every session and remember-me cookie this user has."""
        self.session_token = new_session_token()


class PasswordReset(Base):
    """A single-use, expiring password-reset link; only the token's SHA-256 is stored."""

    __tablename__ = "course_password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("course_user.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
