"""How long a login lasts: ministry accounts 30 minutes idle and 12 hours in all (settings),
applicants longer. The kind is fixed at login; the clock is kept in the session."""

import time

from django.conf import settings

from registrasi.accounts.second_factor import is_ministry_account

KIND_KEY = "session_kind"
STARTED_KEY = "session_started"
SEEN_KEY = "session_seen"
# Write "last seen" at most this often, so most requests do not save the session.
SEEN_RESOLUTION = 60


def limits(kind):
    if kind == "ministry":
        return settings.SESSION_IDLE_MINISTRY, settings.SESSION_MAX_AGE_MINISTRY
    return settings.SESSION_IDLE_APPLICANT, settings.SESSION_MAX_AGE_APPLICANT


def start(request, user):
    now = int(time.time())
    session = request.session
    session[KIND_KEY] = "ministry" if is_ministry_account(user) else "applicant"
    session[STARTED_KEY] = now
    session[SEEN_KEY] = now
    session.set_expiry(int(limits(session[KIND_KEY])[1].total_seconds()))


def expired(request) -> bool:
    """True when the session ran past its idle or total limit; otherwise note this visit."""
    session = request.session
    now = int(time.time())
    if STARTED_KEY not in session:
        # A session from before these rules: start its clock now.
        session[KIND_KEY] = "ministry" if is_ministry_account(request.user) else "applicant"
        session[STARTED_KEY] = session[SEEN_KEY] = now
        return False
    idle, total = limits(session.get(KIND_KEY))
    if now - session[SEEN_KEY] > idle.total_seconds():
        return True
    if now - session[STARTED_KEY] > total.total_seconds():
        return True
    if now - session[SEEN_KEY] >= SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return False
