"""The certificate PDF renders outside any row lock and transaction (certificates.rendering):
a compare-and-set claim keeps a second run out, and staff may change the certificate while
WeasyPrint and pyHanko work."""

import datetime
import threading
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from certificates import services, signing
from certificates.models import Certificate
from tests.certificates.factories import make_certificate


def certificate_without_pdf():
    with mock.patch("registrasi.outbox.hand_over_many"):  # nothing handed over: no render yet
        return make_certificate(quick=True)


@pytest.mark.django_db
def test_a_claimed_render_keeps_other_runs_out_until_the_claim_lapses():
    certificate = certificate_without_pdf()
    until = timezone.now() + datetime.timedelta(minutes=1)
    Certificate.objects.filter(pk=certificate.pk).update(render_claimed_until=until)
    with mock.patch.object(signing, "render_certificate") as render:
        assert services.certificate_render_pdf(certificate_id=certificate.pk) == "busy"
    render.assert_not_called()
    with time_machine.travel(until + datetime.timedelta(seconds=1)):
        assert services.certificate_render_pdf(certificate_id=certificate.pk) == "rendered"
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.render_claimed_until is None
    assert certificate.render_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_the_certificate_row_is_not_locked_while_its_pdf_renders():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks from another connection need PostgreSQL.")
    certificate = certificate_without_pdf()
    real_render = signing.render_certificate
    seen = {}

    def lock_from_another_connection(pk):
        try:
            with transaction.atomic():
                Certificate.objects.select_for_update(nowait=True).get(pk=pk)
                seen["locked"] = True
        except DatabaseError as exc:  # nowait: the row is locked by the render
            seen["locked"] = exc
        finally:
            connections.close_all()

    def render_while_staff_lock_the_row(cert):
        other = threading.Thread(target=lock_from_another_connection, args=(cert.pk,))
        other.start()
        other.join(timeout=30)
        seen["in_transaction"] = connection.in_atomic_block
        return real_render(cert)

    with mock.patch.object(
        signing, "render_certificate", side_effect=render_while_staff_lock_the_row
    ):
        assert services.certificate_render_pdf(certificate_id=certificate.pk) == "rendered"
    assert seen == {"locked": True, "in_transaction": False}
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.render_attempts == 1
