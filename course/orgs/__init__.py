"""Organisations: tenants with managers and members, enrolment, progress, reminders, exports."""
