"""Phone screenshots of the main pages of each role in the demo world (issue 15): the home
page, the public register, a verification, the applicant's dashboard and application, the
staff queue and the inspector's schedule and checklist.

Written to $SCREENSHOT_DIR (default var/screenshots/phone, which CI keeps as an artifact);
docs/screenshots/update.sh writes them into docs/screenshots/phone to be committed.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from applications.constants import ApplicationState
from applications.models import Application
from certificates.constants import CertificateState
from certificates.models import Certificate
from inspections.constants import InspectionState
from inspections.models import Inspection
from tests.e2e.test_accessibility import (  # noqa: F401 (fixtures)
    APPLICANT,
    INSPECTOR,
    STAFF,
    Sweep,
    demo_world,
    signing_key,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent.parent


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "var" / "screenshots" / "phone")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.usefixtures("demo_world")
def test_phone_screenshots_of_every_role(phone_page, live_server):
    folder = screenshot_dir()
    sweep = Sweep(phone_page, live_server)
    page = phone_page

    def shot(name, path=None):
        if path is not None:
            sweep.visit(path)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        return folder / f"{name}.png"

    active = Certificate.objects.filter(state=CertificateState.ACTIVE).first()
    taken = [
        shot("01-home", reverse("home")),
        shot("02-register", reverse("certificates:registry")),
        shot("03-verify", reverse("certificates:verify", args=[active.number])),
    ]
    sweep.log_in(APPLICANT)
    returned = Application.objects.get(
        organization__nib="8120104567231", state=ApplicationState.RETURNED
    )
    taken += [
        shot("04-applicant-dashboard", reverse("applications:dashboard")),
        shot("05-applicant-application", reverse("applications:detail", args=[returned.pk])),
    ]
    sweep.log_in(STAFF)
    taken += [
        shot("06-staff-queue", reverse("applications:staff_queue")),
        shot("07-staff-desk", reverse("certificates:desk")),
    ]
    sweep.log_in(INSPECTOR)
    today = Inspection.objects.filter(state=InspectionState.SCHEDULED).order_by("window_start")
    taken += [
        shot("08-inspector-schedule", reverse("inspections:schedule")),
        shot("09-inspector-checklist", reverse("inspections:detail", args=[today.first().pk])),
    ]

    for path in taken:
        assert path.stat().st_size > 10_000, path
    assert sweep.found == [], "\n".join(sweep.found)
