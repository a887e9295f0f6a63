"""Blinker signals the plugin sends, for hosts to subscribe to (`signal.connect(fn)`).

Each is sent with the Flask app as sender and keyword arguments named below; receivers must not
raise. Signals for later features are added here, with their arguments, as those features land.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A standalone account was created. kwargs: user_id (str), email (str), by_admin (bool).
user_registered = _signals.signal("course.user-registered")

#: A standalone account's password changed (by the user or by a reset link). kwargs: user_id.
password_changed = _signals.signal("course.password-changed")

#: A learner completed a lesson (sent once per learner and lesson).
#: kwargs: user_id (str), course (str), module (str), lesson (str).
lesson_completed = _signals.signal("course.lesson-completed")

#: A quiz attempt was graded (sent once per attempt).
#: kwargs: user_id, course, module, attempt_id (int), percent (Decimal), passed (bool).
quiz_submitted = _signals.signal("course.quiz-submitted")

#: A certificate was issued. kwargs: user_id, course, code (str), version (int).
certificate_issued = _signals.signal("course.certificate-issued")

#: A certificate was revoked. kwargs: user_id, course, code (str), reason (str), by (str).
certificate_revoked = _signals.signal("course.certificate-revoked")

#: A learner submitted their capstone for review (sent once per submitted version).
#: kwargs: user_id, course, submission_id (int), version (int).
capstone_submitted = _signals.signal("course.capstone-submitted")

#: A reviewer returned or passed a capstone version. kwargs: user_id (the learner), course,
#: submission_id (int), version (int), decision ("returned" or "passed"), reviewer_id (str),
#: total (int), max_total (int).
capstone_reviewed = _signals.signal("course.capstone-reviewed")

#: A security-relevant event happened (login failure, rate limit hit, ...).
#: kwargs: event (str), user_id (str | None), remote_addr (str | None).
security_event = _signals.signal("course.security-event")
