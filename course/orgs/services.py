"""Organisations, members, invitations, assignments and the audit log. Each function takes a
session and plain values, flushes, never commits. Manager-facing functions take the manager's
own Organisation object (found from their membership), never an id from the client."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.orm import Session

from ..certificates.render import Branding
from ..certificates.services import Look
from ..db import insert_ignore, utcnow
from ..errors import CourseError
from ..identity import normalise_email
from ..lessons.models import Learner
from ..names import clean_name
from . import tally
from .models import (
    ACTIVE_MEMBER,
    MANAGER,
    MEMBER,
    UNDO_DAYS,
    Assignment,
    AuditEvent,
    Invitation,
    KnownUser,
    Membership,
    Organisation,
)
from .roster import EMAIL, RosterProblem, RosterRow

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class OrgError(CourseError):
    """An organisation action that cannot be done; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ------------------------------------------------------------------ organisations
def create_org(db: Session, slug: str, name: str, seat_limit: int | None = None,
               actor: str | None = None) -> Organisation:
    """A new organisation; OrgError when the slug is taken or malformed."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise OrgError("The short name takes lower-case letters, digits and hyphens.")
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise OrgError(f"An organisation called {slug!r} exists already.")
    name = clean_name(name, 120)  # no control or bidi characters: it goes on certificates
    if not name:
        raise OrgError("The organisation needs a name.")
    org = Organisation(slug=slug, name=name, seat_limit=seat_limit)
    db.add(org)
    db.flush()
    audit(db, org.id, actor, "organisation-created", slug)
    return org


def rename_org(db: Session, org: Organisation, name: str, actor: str | None) -> bool:
    """Give the organisation a new name (its short name, links and issued certificates stay;
    certificates issued from now on carry the new name). False when nothing changed."""
    name = clean_name(name, 120)  # no control or bidi characters: it goes on certificates
    if not name:
        raise OrgError("The organisation needs a name.")
    if name == org.name:
        return False
    old, org.name = org.name, name
    audit(db, org.id, actor, "organisation-renamed", name, {"from": old, "to": name})
    db.flush()
    return True


def set_seat_limit(db: Session, org: Organisation, limit: int | None,
                   actor: str | None) -> bool:
    """Change the number of seats (None: no limit). OrgError when fewer than the people it
    counts now: members plus invitations still open. False when nothing changed."""
    if limit is not None:
        members = members_count(db, org)
        used = seats_used(db, org)
        if limit < used:
            held = used - members
            raise OrgError(
                f"{org.name} has {members} member{'' if members == 1 else 's'}"
                + (f" and {held} open invitation{'' if held == 1 else 's'}" if held else "")
                + f", so it needs at least {used} seat{'' if used == 1 else 's'}. Remove "
                "members or revoke invitations first, or choose a larger number.")
    if limit == org.seat_limit:
        return False
    old, org.seat_limit = org.seat_limit, limit
    audit(db, org.id, actor, "seats-changed", org.name,
          {"from": old, "to": limit})
    db.flush()
    return True


def managers(db: Session, org: Organisation) -> list[Membership]:
    """The organisation's current managers, by name."""
    return list(db.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.role == MANAGER, ACTIVE_MEMBER)
        .order_by(Membership.name, Membership.id)))


def managers_by_org(db: Session) -> dict[int, list[str]]:
    """Every organisation's managers' names, for the administrators' list (one query)."""
    found: dict[int, list[str]] = {}
    for org_id, name in db.execute(select(Membership.org_id, Membership.name).where(
            Membership.role == MANAGER, ACTIVE_MEMBER).order_by(Membership.name)):
        found.setdefault(org_id, []).append(name)
    return found


def seats_by_org(db: Session) -> dict[int, int]:
    """Every organisation's members (removed people not counted), for the administrators'
    list: from the tallies (one query over a row per team, not one per member)."""
    return tally.members_by_org(db)


def remove_manager(db: Session, org: Organisation, member_id: int,
                   actor: str | None) -> Membership | None:
    """Take a manager's rights away (they stay a member, with their records); None if they are
    not one of this organisation's managers. Removing the last manager is allowed: the
    organisation then has none until an administrator appoints one."""
    member = active_member(db, org, member_id)
    if member is None or member.role != MANAGER:
        return None
    member.role = MEMBER
    audit(db, org.id, actor, "manager-removed", _who(member))
    db.flush()
    return member


def appoint_member(db: Session, org: Organisation, email: str,
                   actor: str | None) -> Membership | None:
    """Make a current member of this organisation (found by address) a manager now; None when
    the address is no member of it. OrgError when they manage it already."""
    member = db.scalar(select(Membership).where(
        Membership.org_id == org.id, Membership.email == normalise_email(email), ACTIVE_MEMBER))
    if member is None:
        return None
    if member.role == MANAGER:
        raise OrgError(f"{member.name} manages {org.name} already.")
    member.role = MANAGER
    audit(db, org.id, actor, "manager-appointed", _who(member))
    db.flush()
    return member


def org_roles(db: Session, user_ids: list[str]) -> dict[str, str]:
    """For a page of users: each one's place in an organisation ("Manager of Acme Ltd",
    "Member of Acme Ltd"); users in none are left out. One query."""
    if not user_ids:
        return {}
    rows = db.execute(select(Membership.user_id, Membership.role, Organisation.name)
                      .join(Organisation, Organisation.id == Membership.org_id)
                      .where(Membership.user_id.in_(user_ids), ACTIVE_MEMBER))
    return {user_id: f"{'Manager' if role == MANAGER else 'Member'} of {name}"
            for user_id, role, name in rows}


def record_host_login(conn: Connection, user_id: str, name: str, email: str | None,
                      now: datetime | None = None) -> None:
    """Note that `user_id` logged in through the host application just now, as `name`."""
    row = {"user_id": user_id, "display_name": (clean_name(name) or user_id)[:200],
           "email": normalise_email(email)[:254] or None, "last_login_at": now or utcnow()}
    insert_ignore(conn, KnownUser.__table__, [row])
    conn.execute(update(KnownUser).where(KnownUser.user_id == user_id).values(
        {k: v for k, v in row.items() if k != "user_id"}))


def _know(db: Session, member: Membership) -> None:
    """Make a new organisation member known to the Users page (a host's log-in, later, brings
    their name and address up to date)."""
    insert_ignore(db, KnownUser.__table__, [{"user_id": member.user_id,
                                             "display_name": member.name[:200],
                                             "email": member.email}])


def forget_known_user(db: Session, user_id: str) -> None:
    """The user closed their account or removed their data: the Users page forgets them."""
    db.execute(delete(KnownUser).where(KnownUser.user_id == user_id))


def org_by_slug(db: Session, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def membership(db: Session, user_id: str) -> Membership | None:
    """The user's membership (a person belongs to one organisation at most); None once a
    manager removed them."""
    return db.scalar(select(Membership).where(Membership.user_id == user_id, ACTIVE_MEMBER))


def _membership_row(db: Session, user_id: str) -> Membership | None:
    """The user's membership row, removed or not (a user has one row at most)."""
    return db.scalar(select(Membership).where(Membership.user_id == user_id))


def managed_org(db: Session, user_id: str | None) -> Organisation | None:
    """The organisation this user manages, or None: the only way a manager's scope is found."""
    if user_id is None:
        return None
    return db.scalar(select(Organisation).join(Membership).where(
        Membership.user_id == user_id, Membership.role == MANAGER, ACTIVE_MEMBER))


def add_member(db: Session, org: Organisation, *, user_id: str, name: str,
               email: str | None = None, team: str | None = None, role: str = MEMBER,
               actor: str | None = None) -> Membership:
    """Put a person in the organisation (or change their role there); OrgError if they belong
    to another organisation or the seats are taken."""
    current = _membership_row(db, user_id)
    if current is not None and current.org_id != org.id and current.removed_at is None:
        raise OrgError("This person belongs to another organisation.")
    if current is None or current.removed_at is not None:
        if org.seat_limit is not None and seats_used(db, org) >= org.seat_limit:
            raise OrgError(f"All {org.seat_limit} seats are taken.")
        if current is None:  # a removed person's row is reused: one row per user
            current = Membership(user_id=user_id)
            db.add(current)
        current.org_id, current.role, current.removed_at = org.id, role, None
        current.name = clean_name(name) or user_id
        current.email, current.team = normalise_email(email) or None, _team(team)
        current.joined_at = utcnow()
        db.flush()
        _know(db, current)
        audit(db, org.id, actor, "member-added", _who(current),
              {"role": role, "team": current.team})
    elif role == MANAGER and current.role != MANAGER:
        current.role = MANAGER
        audit(db, org.id, actor, "manager-appointed", _who(current))
    db.flush()
    return current


def _team(team: str | None) -> str | None:
    return " ".join((team or "").split())[:80] or None


def members_count(db: Session, org: Organisation) -> int:
    """The organisation's members (removed people are not counted): its tally, one row per
    team."""
    return tally.members(db, org.id)  # autoflush: the rows written so far are counted


def rebuild_aggregates(db: Session) -> None:
    """Recount the organisations' tallies from the rows (after bulk SQL loads)."""
    tally.rebuild(db)


def pending_invitations(db: Session, org: Organisation, now: datetime | None = None) -> list[
        Invitation]:
    now = now or utcnow()
    return list(db.scalars(select(Invitation).where(
        Invitation.org_id == org.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())))


#: Open invitations to a page of the members page (and of an administrator's organisation page);
#: the dashboard shows the first few and links there.
INVITATIONS_PAGE = 50
INVITATIONS_SHOWN = 10
#: Neither accepted nor revoked: literal conditions, as the partial index's are.
UNANSWERED = (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


def unanswered_invitations(db: Session, org: Organisation, *, limit: int | None = None,
                           offset: int = 0) -> list[Invitation]:
    """Invitations neither accepted nor revoked, expired ones included (they can be resent),
    soonest to expire first; `limit` of them from `offset` (by the partial index of open
    invitations, however many a roster import made)."""
    statement = select(Invitation).where(Invitation.org_id == org.id, *UNANSWERED).order_by(
        Invitation.expires_at, Invitation.id)
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return list(db.scalars(statement))


def unanswered_count(db: Session, org: Organisation) -> int:
    """How many invitations are neither accepted nor revoked."""
    return db.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.org_id == org.id, *UNANSWERED)) or 0


def invitation_counts(db: Session, org: Organisation,
                      now: datetime | None = None) -> tuple[int, int]:
    """(invitations still open, invitations neither accepted nor revoked) in one statement:
    the seats the invitations hold and the length of the list of them."""
    open_, unanswered = db.execute(select(
        func.count().filter(Invitation.expires_at > (now or utcnow())), func.count())
        .select_from(Invitation).where(Invitation.org_id == org.id, *UNANSWERED)).one()
    return int(open_ or 0), int(unanswered or 0)


def seats_used(db: Session, org: Organisation, now: datetime | None = None,
               members: int | None = None) -> int:
    """Members (`members`, if the caller has counted them) plus invitations still open: an
    invitation holds a seat until it lapses (an expired, revoked or accepted one holds none; nor
    does a removed member)."""
    held, _ = invitation_counts(db, org, now)
    return (members_count(db, org) if members is None else members) + held


def look_of(org: Organisation) -> Look:
    """How the organisation's members' certificates look."""
    return Look(org.name, org.template, Branding(org.logo, org.logo_type, org.primary_colour,
                                                 org.signatory))


def look_for(db: Session, user_id: str) -> Look:
    """How a learner's certificate looks: their organisation's, or the site's default."""
    org = db.scalar(select(Organisation).join(Membership).where(Membership.user_id == user_id,
                                                                ACTIVE_MEMBER))
    return Look() if org is None else look_of(org)


# ------------------------------------------------------------------ invitations
def invite(db: Session, org: Organisation, email: str, *, invited_by: str, days: int,
           name: str | None = None, team: str | None = None, role: str = MEMBER,
           now: datetime | None = None) -> tuple[Invitation, str]:
    """An invitation and the secret token for its link (only its hash is stored)."""
    email = normalise_email(email)
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise OrgError(f"{email or 'An empty address'} is not an email address.")
    taken = db.scalar(select(Membership.org_id).where(Membership.email == email, ACTIVE_MEMBER))
    if taken is not None:
        raise OrgError(f"{email} is already a member" + (
            "." if taken == org.id else " of another organisation."))
    if any(i.email == email for i in pending_invitations(db, org, now)):
        raise OrgError(f"{email} has an open invitation already.")
    if org.seat_limit is not None and seats_used(db, org) >= org.seat_limit:
        raise OrgError(f"All {org.seat_limit} seats are taken.")
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    invitation = Invitation(org_id=org.id, email=email, name=(name or "").strip()[:120] or None,
                            team=_team(team), token_hash=token_hash(token), role=role,
                            invited_by=invited_by, created_at=now,
                            expires_at=now + timedelta(days=days))
    db.add(invitation)
    db.flush()
    audit(db, org.id, invited_by, "invited", email, {"team": invitation.team})
    return invitation, token


def invitation_open(db: Session, token: str, email: str | None) -> bool:
    """Whether `token` is an open invitation's and was sent to `email`."""
    invitation = find_invitation(db, token)
    return invitation is not None and invitation.email == normalise_email(email)


def _unanswered(db: Session, org: Organisation, invitation_id: int) -> Invitation | None:
    """One of this organisation's invitations, neither accepted nor revoked (maybe expired)."""
    return db.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.org_id == org.id,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)))


def resend_invitation(db: Session, org: Organisation, invitation_id: int, *, actor: str,
                      days: int, now: datetime | None = None) -> tuple[Invitation, str] | None:
    """A new link (the old one stops working) valid for `days` more days, for one of this
    organisation's unanswered invitations; None if there is no such one. OrgError when it had
    lapsed and no seat is free any more."""
    invitation = _unanswered(db, org, invitation_id)
    if invitation is None:
        return None
    now = now or utcnow()
    if invitation.expires_at <= now and org.seat_limit is not None and (
            seats_used(db, org, now) >= org.seat_limit):
        raise OrgError(f"All {org.seat_limit} seats are taken.")
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = now + timedelta(days=days)
    audit(db, org.id, actor, "invitation-resent", invitation.email,
          {"expires": invitation.expires_at.date().isoformat()})
    db.flush()
    return invitation, token


def find_invitation(db: Session, token: str, now: datetime | None = None) -> Invitation | None:
    """The open invitation for a link's token: not accepted, revoked or expired."""
    now = now or utcnow()
    invitation = db.scalar(select(Invitation).where(
        Invitation.token_hash == token_hash(token or "")))
    if invitation is None or invitation.accepted_at or invitation.revoked_at or (
            invitation.expires_at <= now):
        return None
    return invitation


def accept(db: Session, invitation: Invitation, *, user_id: str, name: str,
           email: str | None) -> Membership:
    """Join the organisation through an invitation (linking the account that accepts it).

    An invitation is bound to its address: an account whose email differs is refused (a host
    without an `email` hook gives None, and the link itself is then the proof)."""
    if email and normalise_email(email) != normalise_email(invitation.email):
        raise OrgError("This invitation was sent to another email address. Log in with the "
                       "account of the address it was sent to, or ask for a new invitation.")
    org = db.get(Organisation, invitation.org_id)
    current = membership(db, user_id)
    if current is not None and current.org_id != org.id:
        raise OrgError("Your account belongs to another organisation already.")
    invitation.accepted_at = utcnow()
    invitation.accepted_by = user_id
    db.flush()  # the invitation no longer holds a seat: the membership takes it
    member = add_member(db, org, user_id=user_id, name=invitation.name or name,
                        email=email or invitation.email, team=invitation.team,
                        role=invitation.role, actor=user_id)
    audit(db, org.id, user_id, "invitation-accepted", invitation.email)
    return member


def revoke_invitation(db: Session, org: Organisation, invitation_id: int,
                      actor: str) -> bool:
    """Revoke one of this organisation's open invitations; False if there is no such one."""
    invitation = _unanswered(db, org, invitation_id)
    if invitation is None:
        return False
    invitation.revoked_at = utcnow()
    audit(db, org.id, actor, "invitation-revoked", invitation.email)
    db.flush()
    return True


def active_member(db: Session, org: Organisation, member_id: int) -> Membership | None:
    """One of this organisation's current members, or None."""
    return db.scalar(select(Membership).where(Membership.id == member_id,
                                              Membership.org_id == org.id, ACTIVE_MEMBER))


def remove_member(db: Session, org: Organisation, member_id: int, actor: str,
                  now: datetime | None = None) -> Membership | None:
    """Remove a member of this organisation, softly: the row stays (with their learning and
    certificates) and `restore_member` undoes it for UNDO_DAYS. None if there is no such
    member, or it is the manager themselves."""
    member = active_member(db, org, member_id)
    if member is None or member.user_id == actor:
        return None
    member.removed_at = now or utcnow()
    audit(db, org.id, actor, "member-removed", _who(member))
    db.flush()
    return member


def _who(member: Membership) -> str:
    """How the audit log names a person: their name and address."""
    return f"{member.name} <{member.email}>" if member.email else member.name


def removed_members(db: Session, org: Organisation,
                    now: datetime | None = None) -> list[Membership]:
    """People removed from this organisation recently enough to be restored, newest first."""
    since = (now or utcnow()) - timedelta(days=UNDO_DAYS)
    return list(db.scalars(select(Membership).where(
        Membership.org_id == org.id, Membership.removed_at > since)
        .order_by(Membership.removed_at.desc())))


def restore_member(db: Session, org: Organisation, member_id: int, actor: str,
                   now: datetime | None = None) -> Membership | None:
    """Undo a removal made less than UNDO_DAYS ago; None if there is none to undo. OrgError
    when the seats have been taken meanwhile."""
    now = now or utcnow()
    member = next((m for m in removed_members(db, org, now) if m.id == member_id), None)
    if member is None:
        return None
    if org.seat_limit is not None and seats_used(db, org, now) >= org.seat_limit:
        raise OrgError(f"All {org.seat_limit} seats are taken; free one to restore "
                       f"{member.name}.")
    member.removed_at = None
    audit(db, org.id, actor, "member-restored", _who(member))
    db.flush()
    return member


# ------------------------------------------------------------------ assignments
def assign(db: Session, org: Organisation, course: str, due_on: date | None,
           actor: str) -> Assignment:
    """Assign a course to the organisation's members, by a due date (or change the date)."""
    row = db.scalar(select(Assignment).where(Assignment.org_id == org.id,
                                             Assignment.course == course))
    if row is None:
        row = Assignment(org_id=org.id, course=course)
        db.add(row)
    row.due_on = due_on
    db.flush()
    audit(db, org.id, actor, "course-assigned", course,
          {"due_on": due_on.isoformat() if due_on else None})
    return row


def assignments(db: Session, org: Organisation) -> list[Assignment]:
    return list(db.scalars(select(Assignment).where(Assignment.org_id == org.id)
                           .order_by(Assignment.course)))


# ------------------------------------------------------------------ audit
def audit(db: Session, org_id: int | None, actor: str | None, action: str,
          subject: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Record who did what in an organisation."""
    db.add(AuditEvent(org_id=org_id, actor=actor, action=action,
                      subject=(subject or "")[:254] or None, detail=detail or {}))
    db.flush()


def actor_names(db: Session, events: list[AuditEvent]) -> dict[str, str]:
    """Who each event's actor is, as "Name <email>": from memberships (removed ones too), then
    from the learners the site has seen; never an internal id."""
    ids = {e.actor for e in events if e.actor}
    if not ids:
        return {}
    names = {user_id: f"{name} <{email}>" if email else name
             for user_id, name, email in db.execute(select(
                 Learner.user_id, Learner.display_name, Learner.email).where(
                 Learner.user_id.in_(ids)))}
    names.update({m.user_id: _who(m) for m in db.scalars(select(Membership).where(
        Membership.user_id.in_(ids)))})
    return names


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int


def audit_log(db: Session, org: Organisation, page: int = 1, per_page: int = 50) -> AuditPage:
    """The organisation's audit events, newest first, one page."""
    total = db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.org_id == org.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.org_id == org.id)
                             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                             .limit(per_page).offset((page - 1) * per_page)))
    return AuditPage(events, page, pages)


# ------------------------------------------------------------------ bulk enrolment
@dataclass(frozen=True)
class RosterPlan:
    """What an upload would do: invite these, skip those (already in), or refuse with problems."""

    invite: list[RosterRow]
    skipped: list[tuple[RosterRow, str]]
    problems: list[RosterProblem]


def plan_roster(db: Session, org: Organisation, rows: list[RosterRow],
                problems: list[RosterProblem]) -> RosterPlan:
    """Check parsed rows against the database: other organisations' people, seats."""
    problems = list(problems)
    emails = [r.email for r in rows]
    members = dict(db.execute(select(Membership.email, Membership.org_id).where(
        Membership.email.in_(emails), ACTIVE_MEMBER)).all()) if emails else {}
    invited = {i.email for i in pending_invitations(db, org)}
    invite_rows, skipped = [], []
    for row in rows:
        if row.email in members and members[row.email] != org.id:
            problems.append(RosterProblem(row.line, f"{row.email} belongs to another "
                                                    "organisation"))
        elif row.email in members:
            skipped.append((row, "already a member"))
        elif row.email in invited:
            skipped.append((row, "already invited"))
        else:
            invite_rows.append(row)
    if org.seat_limit is not None:
        free = max(0, org.seat_limit - seats_used(db, org))
        for row in invite_rows[free:]:
            problems.append(RosterProblem(row.line, f"no seat left (the limit is "
                                                    f"{org.seat_limit})"))
    problems.sort(key=lambda p: p.line)
    return RosterPlan(invite_rows, skipped, problems)


def apply_roster(db: Session, org: Organisation, plan: RosterPlan, *, actor: str,
                 days: int) -> list[tuple[Invitation, str]]:
    """Invite everyone the plan lists (only for a plan without problems)."""
    if plan.problems:
        raise OrgError("The file has problems; nothing was changed.")
    made = [invite(db, org, row.email, invited_by=actor, days=days, name=row.name,
                   team=row.team) for row in plan.invite]
    audit(db, org.id, actor, "roster-imported", None,
          {"invited": len(made), "skipped": len(plan.skipped)})
    return made
