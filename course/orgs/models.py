"""Organisations and what belongs to them: members, invitations, course assignments, reminders
sent, the audit log and bulk-issue jobs. Every row carries its organisation's id, and every
manager query filters on it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

MEMBER = "member"
MANAGER = "manager"
UNDO_DAYS = 14  # how long a removed member can be restored


class Organisation(Base):
    """A customer organisation and its certificate branding (validated values, never raw
    HTML or CSS)."""

    __tablename__ = "course_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    seat_limit: Mapped[int | None] = mapped_column(default=None)
    template: Mapped[str] = mapped_column(String(64), default="default")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # sanitised
    logo_type: Mapped[str | None] = mapped_column(String(20), default=None)  # image/png, svg
    primary_colour: Mapped[str | None] = mapped_column(String(7), default=None)  # #rrggbb
    signatory: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A person in an organisation (one organisation per person), as member or manager."""

    __tablename__ = "course_membership"
    # The dashboard lists an organisation's members by name, or one team's, a page at a time;
    # its counts and its join to the best scores read the last index alone.
    __table_args__ = (Index("ix_course_membership_org_id_name", "org_id", "name"),
                      Index("ix_course_membership_org_id_team", "org_id", "team"),
                      Index("ix_course_membership_org_id_removed_at_team_user_id", "org_id",
                            "removed_at", "team", "user_id"),
                      # the administrator's choice of a member to appoint: addresses in order
                      Index("ix_course_membership_org_id_email", "org_id", "email"),
                      # the managers, of one organisation or of all, without reading members
                      Index("ix_course_membership_role_org_id_name", "role", "org_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("course_organisation.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=MEMBER)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    team: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    optional_reminders: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a manager removed the person: the row (and their records) stay, the removal can be
    #: undone for UNDO_DAYS; None while they are a member.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


#: Members still in their organisation (not removed): every list, count and scope uses it.
ACTIVE_MEMBER = Membership.removed_at.is_(None)


#: An invitation neither accepted nor revoked (the partial index's condition, in SQL).
OPEN_INVITATION = text("accepted_at IS NULL AND revoked_at IS NULL")


class Invitation(Base):
    """An emailed invitation to join; the link's token is stored only as a hash."""

    __tablename__ = "course_invitation"
    # The open ones of an organisation, soonest to expire first, a page at a time, and the
    # seats they hold: however many invitations a roster import made or were accepted since.
    __table_args__ = (Index("ix_course_invitation_open", "org_id", "expires_at", "id",
                            sqlite_where=OPEN_INVITATION, postgresql_where=OPEN_INVITATION),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("course_organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str | None] = mapped_column(String(120), default=None)
    team: Mapped[str | None] = mapped_column(String(80), default=None)
    role: Mapped[str] = mapped_column(String(20), default=MEMBER)  # the role on joining
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    accepted_by: Mapped[str | None] = mapped_column(String(64), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Assignment(Base):
    """A course the organisation's members are to finish, by a due date."""

    __tablename__ = "course_assignment"
    __table_args__ = (UniqueConstraint("org_id", "course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("course_organisation.id"))
    course: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)


class ReminderSent(Base):
    """One reminder email, so that the same event is never reminded twice."""

    __tablename__ = "course_reminder_sent"
    __table_args__ = (UniqueConstraint("user_id", "kind", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("course_organisation.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # overdue, expiring
    event: Mapped[str] = mapped_column(String(120))  # what it was about, e.g. course@due date
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what, when, in an organisation: enrolment, issue, revoke, export."""

    __tablename__ = "course_audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("course_organisation.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64))  # a user id; None for the system
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(254), default=None)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class KnownUser(Base):
    """A user as the plugin knows them, for the administrators' Users page in a host
    application (the host keeps the accounts): their name and address when last seen, and
    when they last logged in through the host's Flask-Login (its `user_logged_in` signal; a
    remember-me cookie bringing a session back is not a log-in), None before the plugin saw
    one. Written at a host log-in and when a person joins an organisation."""

    __tablename__ = "course_known_user"
    # The Users page lists people by name, a page at a time.
    __table_args__ = (Index("ix_course_known_user_display_name_user_id", "display_name",
                            "user_id"),)

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class BulkJob(Base):
    """A bulk certificate issue or re-issue, run in the background, with its progress."""

    __tablename__ = "course_bulk_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("course_organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # issue, reissue
    course: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    state: Mapped[str] = mapped_column(String(20), default="queued")  # running, done, failed
    backend: Mapped[str] = mapped_column(String(10), default="pool")  # pool, rq
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class OrgTally(Base):
    """A figure of an organisation's team (`team` "" for members without one), for a course or
    none: `n` counted, `total` summed (best scores in hundredths). Figures: members, learners
    (members with a learner record), certified, first:YYYY-MM (first certificates by month),
    ends:YYYY-MM-DD (certificates in force by the day they end), best:<module>. Kept by
    database triggers in the transaction of the write that changes it (migration 0017);
    `tally.rebuild` recounts."""

    __tablename__ = "course_org_tally"

    org_id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(80), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)


class MemberCertificate(Base):
    """One person's certificate standing on a course, recomputed by a trigger from their
    certificates: certified (1 while one is active), the month of their first (YYYY-MM) and when
    the one in force ends (the earliest end of their active ones)."""

    __tablename__ = "course_member_certificate"
    # "expiring within N days": the members whose certificate ends on the day N days from now
    __table_args__ = (Index("ix_course_member_certificate_course_ends_at", "course", "ends_at"),)

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    certified: Mapped[int] = mapped_column(SmallInteger)
    first_month: Mapped[str | None] = mapped_column(String(7), default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class UnaffiliatedLearner(Base):
    """A learner in no organisation (a learner record, no active membership), kept by triggers
    (migration 0018): a trainer outside every organisation lists these without walking every
    learner."""

    __tablename__ = "course_unaffiliated_learner"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class QuizAttempted(Base):
    """A quiz (course and module) someone has attempted, listed once (migration 0019)."""

    __tablename__ = "course_quiz_attempted"

    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    module: Mapped[str] = mapped_column(String(64), primary_key=True)


class QuizPending(Base):
    """A learner yet to start a listed quiz: they opened a lesson of its course and have no
    attempt at it. Kept by triggers (migration 0019); the gradebook's "not started" reads it."""

    __tablename__ = "course_quiz_pending"
    __table_args__ = (Index("ix_course_quiz_pending_course_module_user_id", "course", "module",
                            "user_id"),)

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    module: Mapped[str] = mapped_column(String(64), primary_key=True)
