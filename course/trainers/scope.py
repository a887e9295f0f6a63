"""Whose results a trainer may see (security.md, "Authorisation"; the same rule as capstone
reviews): an administrator sees everyone; a trainer sees learners in no organisation and, if
they manage one, their own organisation's. Organisations are tenants: a learner of another
organisation is "not found"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.orm import Session

from ..lessons.models import Learner
from ..orgs import tally
from ..orgs.models import ACTIVE_MEMBER, Membership, Organisation, UnaffiliatedLearner
from ..orgs.services import managed_org

NO_ORG = "none"  # the organisation filter's value for learners in no organisation
FEW = 2000  # learners in scope up to which they are listed (and sorted) rather than searched for


@dataclass(frozen=True)
class Scope:
    """What the current trainer may see: everyone, or no organisation's learners plus those of
    `org_id` (the organisation they manage, if any). `few`: at most FEW learners are in scope."""

    everyone: bool
    org_id: int | None = None
    few: bool = False

    def clause(self) -> ColumnElement[bool]:
        """A condition on `Learner.user_id`: the learner is in scope. When they are few, their
        ids (the learners in no organisation, kept by triggers, and the organisation's members),
        which the database reads first and sorts; otherwise a correlated EXISTS, so that it walks
        learners by name and stops after a page."""
        if self.everyone:
            return true()
        if self.few:
            ids = select(UnaffiliatedLearner.user_id)
            if self.org_id is not None:
                ids = ids.union_all(select(Membership.user_id).where(
                    Membership.org_id == self.org_id, ACTIVE_MEMBER))
            return Learner.user_id.in_(ids)
        if self.org_id is None:
            return ~in_any_org()
        return ~in_any_org() | in_org(self.org_id)


def in_any_org() -> ColumnElement[bool]:
    """The learner is an active member of some organisation."""
    return exists().where(Membership.user_id == Learner.user_id, ACTIVE_MEMBER)


def in_org(org_id: int) -> ColumnElement[bool]:
    """The learner is an active member of this organisation."""
    return exists().where(Membership.user_id == Learner.user_id, ACTIVE_MEMBER,
                          Membership.org_id == org_id)


def scope_for(db: Session, user_id: str, is_admin: bool) -> Scope:
    """The scope of this trainer (administrators see every organisation)."""
    if is_admin:
        return Scope(everyone=True)
    org = managed_org(db, user_id)
    unaffiliated = db.scalar(select(func.count()).select_from(
        select(UnaffiliatedLearner.user_id).limit(FEW + 1).subquery())) or 0
    members = tally.members(db, org.id) if org is not None else 0
    return Scope(everyone=False, org_id=org.id if org is not None else None,
                 few=unaffiliated + members <= FEW)


def org_choices(db: Session, scope: Scope) -> list[tuple[str, str]]:
    """The organisation filter's choices (value, label): only organisations in scope."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if not scope.everyone:
        if scope.org_id is None:
            return [(NO_ORG, "No organisation")]
        query = query.where(Organisation.id == scope.org_id)
    return [(NO_ORG, "No organisation")] + [(str(r.id), r.name) for r in db.execute(query)]


def organisation_of(db: Session, user_id: str) -> tuple[int, str] | None:
    """The learner's organisation (id, name), if they are an active member of one."""
    row = db.execute(select(Organisation.id, Organisation.name).join(
        Membership, Membership.org_id == Organisation.id).where(
        Membership.user_id == user_id, ACTIVE_MEMBER)).first()
    return (row.id, row.name) if row else None


def may_see(db: Session, scope: Scope, user_id: str) -> bool:
    """True when the learner is in the trainer's scope."""
    if scope.everyone:
        return True
    org = organisation_of(db, user_id)
    return org is None or org[0] == scope.org_id
