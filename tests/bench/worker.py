"""One bench worker: a Django process on one database (DATABASE_URL), answering timing
requests on stdin with JSON lines, so that tests/bench/run.py can alternate the small and the
large database request by request (the machine's noise falls on both sides alike)."""

import datetime
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registrasi.settings")
os.environ.setdefault("DEBUG", "false")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from certificates import reminders, services  # noqa: E402
from certificates.models import (  # noqa: E402
    Certificate,
    ExpiryReminder,
    ReminderCheckpoint,
)
from registrasi.accounts.constants import STAFF_GROUP  # noqa: E402
from registrasi.accounts.models import Membership, User  # noqa: E402
from tests.second_factor import login_verified  # noqa: E402

# Staff must use a second factor: logged in as if they had typed their code (as in the tests).
Client._login = login_verified

settings.ALLOWED_HOSTS = ["*"]
settings.CERTIFICATES_PUBLIC_RATE = "1000000/m"


class Rollback(Exception):
    pass


def people():
    staff = User.objects.filter(groups__name=STAFF_GROUP).order_by("pk").first()
    owner = Membership.objects.order_by("pk").first().user
    return {"staff": staff, "applicant": owner}


def urls():
    number = (
        Certificate.objects.filter(state="active")
        .order_by("pk")
        .values_list("number", flat=True)[0]
    )
    # A company looked up by its name, as a customer checks one call center: its whole name
    # matches one certificate in either database. The broad search ("Layanan", the first word
    # of one name in 18) fills a page at both sizes (30 matches against 2,944). The search
    # the issue first measured, "Layanan Pelanggan", matched 4 certificates at 1,000
    # applications and 216 at 100,000: it compared a page of 4 rows with a page of 25.
    company = (
        Certificate.objects.filter(state="active")
        .order_by("pk")
        .values_list("legal_name", flat=True)[0]
    )
    named = "?" + urlencode({"q": company})
    queue = reverse("applications:staff_queue")
    registry = reverse("certificates:registry")
    return {
        "staff queue": ("staff", queue),
        "staff queue, documents": ("staff", queue + "?state=to_review"),
        "desk": ("staff", reverse("certificates:desk")),
        "desk, to schedule": ("staff", reverse("certificates:desk") + "?queue=to_schedule"),
        "desk, to decide": ("staff", reverse("certificates:desk") + "?queue=to_decide"),
        "desk, payments": ("staff", reverse("certificates:desk") + "?queue=payments"),
        "staff certificates": ("staff", reverse("certificates:staff_list")),
        "applicant dashboard": ("applicant", reverse("applications:dashboard")),
        "register": (None, registry),
        "register, page 20": (None, registry + "?page=20"),
        "register, name search": (None, registry + named),
        "verify": (None, reverse("certificates:verify", args=[number])),
        # With a session cookie the cache is skipped: the page rendered from the database.
        "register, not cached": ("cookie", registry),
        "register, search, not cached": ("cookie", registry + named),
        "register, broad search, not cached": ("cookie", registry + "?q=Layanan"),
        "verify, not cached": ("cookie", reverse("certificates:verify", args=[number])),
    }


CLIENTS = {}


def client_for(who, person):
    if who not in CLIENTS:
        client = Client()
        if person is not None:
            client.force_login(person)
        if who == "cookie":
            client.cookies[settings.SESSION_COOKIE_NAME] = "none"
        CLIENTS[who] = client
    return CLIENTS[who]


def time_page(name, repeat):
    who, url = URLS[name]
    client = client_for(who, PEOPLE.get(who))
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        if who == "cookie":  # the session middleware deletes an unknown session's cookie
            client.cookies[settings.SESSION_COOKIE_NAME] = "none"
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (name, response.status_code)
    if who == "cookie":
        client.cookies[settings.SESSION_COOKIE_NAME] = "none"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # The fastest of the repeats: the machine's other work (other tests, the other worker)
    # only ever adds time to a request; run.py takes the median of the rounds.
    return {"ms": min(times) * 1000, "queries": len(queries)}


def scan_step(step, repeat):
    """The fastest of `repeat` runs of one step of the daily scan (a step alone takes about a
    millisecond: one run per round measured the machine's noise more than the step)."""
    runs = [run_scan_step(step) for _ in range(repeat)]
    return {
        "ms": min(run["ms"] for run in runs),
        "queries": runs[-1]["queries"],
        "rows": runs[-1]["rows"],
    }


def run_scan_step(step):
    """The daily scan's steps, each in a transaction rolled back (every round does the same
    work): the reminders due today, the expiry and hand-over (nothing due: every certificate
    past its date was moved when the data was generated... or is, by the first round)."""
    on = services.today()
    functions = {
        "scan: reminders": lambda: reminders.send_due_reminders(on=on),
        "scan: expire": lambda: services.certificates_expire(on=on),
        "scan: hand over": lambda: services.certificates_hand_over(on=on),
    }
    try:
        with transaction.atomic():
            if step == "scan: reminders":
                scanned_yesterday(on)
                same_number_due(on)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = functions[step]()
            took = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    count = len(result) if isinstance(result, list) else result
    return {"ms": took * 1000, "queries": len(queries), "rows": count}


# Reminders due in the timed scan, at either size: the goal compares the scan "with the same
# number due" (the generated dates made 1 due at 1,000 applications and 66 at 100,000).
DUE = 20


def same_number_due(on):
    """DUE reminders due today in either database: those due by the generated dates are
    recorded as an earlier run would have (so the scan's queries still meet and skip them),
    and the first DUE active certificates valid beyond the 180-day window, not renewed, get
    their 180-day milestone today."""
    since = ReminderCheckpoint.objects.get(pk=reminders.CHECKPOINT)
    ExpiryReminder.objects.bulk_create(
        [
            ExpiryReminder(
                certificate_id=d.certificate.pk,
                milestone=d.milestone,
                due_on=d.certificate.expires_on - datetime.timedelta(days=d.milestone),
            )
            for d in reminders.due_reminders(on, since)
            if d.milestone is not None
        ],
        ignore_conflicts=True,
    )
    milestone_today = on + datetime.timedelta(days=max(reminders.MILESTONES))
    picked = (
        reminders._valid_not_renewed()
        .filter(state="active", expires_on__gt=milestone_today)
        .order_by("pk")
        .values_list("pk", flat=True)[:DUE]
    )
    Certificate.objects.filter(pk__in=list(picked)).update(expires_on=milestone_today)


def scanned_yesterday(on):
    """The reminder scan's checkpoint as a daily run leaves it: yesterday, after every
    certificate here was created (the data was generated at once, just now)."""
    newest = Certificate.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    ReminderCheckpoint.objects.update_or_create(
        name=reminders.CHECKPOINT,
        defaults={
            "scanned_on": on - datetime.timedelta(days=1),
            "started_at": newest + reminders.COMMIT_MARGIN + datetime.timedelta(seconds=1),
        },
    )


PEOPLE = people()
URLS = urls()


def main():
    for line in sys.stdin:
        request = json.loads(line)
        if request["kind"] == "page":
            answer = time_page(request["name"], request.get("repeat", 5))
        else:
            answer = scan_step(request["name"], request.get("repeat", 5))
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
