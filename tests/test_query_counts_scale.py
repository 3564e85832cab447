"""Every list page runs as many queries with 1,000 rows as with 20 (issue 14): the rows are
written in bulk by generate_scale's generator (certificates.scale_data, fast), then each page
is read at both sizes.
The timings at 1,000 vs 100,000 rows on PostgreSQL are `make bench`'s (tests/bench)."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from certificates.constants import REGISTRY_STATES
from certificates.models import Certificate
from certificates.scale_data import Generator
from inspections.constants import ACTIVE_STATES
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.CERTIFICATES_PUBLIC_RATE = "100000/m"


def grow(to, organization, inspector):
    """Bring the database to `to` applications (half of them with a certificate), all of them the
    applicant's organization's (so the applicant's pages grow too), inspections the
    inspector's."""
    missing = to - Application.objects.count()
    Generator(random.Random(to)).run(missing, missing // 2)
    Application.objects.update(organization=organization)
    Certificate.objects.update(organization=organization)
    give_all_inspections_to(inspector)


def give_all_inspections_to(inspector):
    """Every inspection becomes the inspector's. PostgreSQL refuses one inspector two live
    inspections whose windows overlap (inspections_no_overlap), and the generator spreads its
    live windows over several inspectors: the live ones move to windows of their own, three
    hours apart, after every window already written (so no row clashes mid-update)."""
    Inspection.objects.exclude(state__in=ACTIVE_STATES).update(inspector=inspector)
    live = list(Inspection.objects.filter(state__in=ACTIVE_STATES).order_by("pk"))
    start = Inspection.objects.aggregate(last=Max("window_end"))["last"]
    for position, inspection in enumerate(live, start=1):
        inspection.inspector = inspector
        inspection.window_start = start + datetime.timedelta(hours=3 * position)
        inspection.window_end = inspection.window_start + datetime.timedelta(hours=2)
    Inspection.objects.bulk_update(live, ["inspector", "window_start", "window_end"])


def pages():
    number = Certificate.objects.filter(state="active").order_by("pk").first().number
    listed = Certificate.objects.filter(state__in=REGISTRY_STATES).order_by("pk").first()
    return {
        "staff queue": ("staff", reverse("applications:staff_queue")),
        "staff queue, all": ("staff", reverse("applications:staff_queue") + "?state=all"),
        "staff queue, documents": (
            "staff",
            reverse("applications:staff_queue") + "?state=to_review",
        ),
        "desk": ("staff", reverse("certificates:desk")),
        "staff certificates": ("staff", reverse("certificates:staff_list")),
        "dashboard": ("applicant", reverse("applications:dashboard")),
        "my certificates": ("applicant", reverse("certificates:mine")),
        "inspection schedule": ("inspector", reverse("inspections:schedule")),
        "register": (None, reverse("certificates:registry")),
        "register, search": (None, reverse("certificates:registry") + "?q=PT"),
        "register, province": (
            None,
            reverse("certificates:registry") + f"?province={listed.province}",
        ),
        "verify": (None, reverse("certificates:verify", args=[number])),
    }


def count_queries(client, people, pages):
    counts = {}
    for name, (who, url) in pages.items():
        client.logout()
        if who:
            client.force_login(people[who])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.fixture
def counts(client, staff_user, applicant, organization, inspector):
    """Query counts of every page with 20 applications (10 of them with a certificate, every
    other state once: no list is empty), then with 1,000."""
    people = {"staff": staff_user, "applicant": applicant, "inspector": inspector}
    grow(20, organization, inspector)
    small = count_queries(client, people, pages())
    grow(1000, organization, inspector)
    return small, count_queries(client, people, pages())


# The holder's pages show a notice per suspended or revoked certificate: their sanctions are
# read in one query for the whole list (certificates.sanctions.attach_sanctions).
def test_no_list_page_runs_more_queries_with_1000_rows_than_with_20(counts):
    small, large = counts
    assert large == small
