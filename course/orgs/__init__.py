"""Organisations: tenants with managers and members, enrolment, progress, reminders, exports."""

from __future__ import annotations

from flask import Flask

from ..state import CourseState


def init_feature(app: Flask, state: CourseState) -> None:
    """Organisations' part in the app: their pages, certificate branding, invitations that
    skip the sign-up limit, the menu's "My organisation", and the audit of certificate events."""
    from . import access, operations, services
    from .views import create_blueprint

    state.certificate_look = services.look_for
    state.invitation_open = services.invitation_open
    state.manages_organisation = access.manages_an_organisation
    state.org_roles = services.org_roles
    state.certificate_audit = operations.audit_certificate
    state.close_hooks.append(services.forget_known_user)
    if not state.accounts:
        operations.connect_host_logins(app)
    state.blueprints.append(create_blueprint())
