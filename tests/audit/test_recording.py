"""audit_record: inside the caller's transaction only, with the client IP from the request."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from registrasi.audit.middleware import RequestIPMiddleware, current_ip
from registrasi.audit.models import AuditEvent
from registrasi.audit.selectors import timeline_for
from registrasi.audit.services import audit_record
from tests.factories import OrganizationFactory


def recording_view(actor, obj):
    """A stand-in for a view whose service records an event."""

    def view(request):
        with transaction.atomic():
            audit_record(actor=actor, action="organization.viewed", obj=obj)
        return HttpResponse("ok")

    return view


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction(staff_user):
    organization = OrganizationFactory()

    with pytest.raises(RuntimeError, match="atomic"):
        audit_record(actor=staff_user, action="organization.checked", obj=organization)

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_records_inside_a_transaction(staff_user):
    organization = OrganizationFactory()

    with transaction.atomic():
        audit_record(actor=staff_user, action="organization.checked", obj=organization)

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_event_rolls_back_with_the_failed_transaction(staff_user):
    organization = OrganizationFactory()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=staff_user, action="organization.checked", obj=organization)
        1 / 0  # noqa: B018 - the service fails after recording

    assert AuditEvent.objects.count() == 0


def test_it_records_the_client_ip_from_the_request(db, staff_user):
    organization = OrganizationFactory()
    middleware = RequestIPMiddleware(recording_view(staff_user, organization))

    middleware(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7"))

    assert AuditEvent.objects.get().ip_address == "203.0.113.7"


def test_it_records_the_address_the_proxy_appended(db, staff_user, settings):
    settings.USE_X_FORWARDED_FOR = True
    organization = OrganizationFactory()
    middleware = RequestIPMiddleware(recording_view(staff_user, organization))

    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23"
    )
    middleware(request)

    assert AuditEvent.objects.get().ip_address == "198.51.100.23"


def test_it_ignores_addresses_the_client_put_in_front_of_the_proxys(db, staff_user, settings):
    settings.USE_X_FORWARDED_FOR = True
    organization = OrganizationFactory()
    middleware = RequestIPMiddleware(recording_view(staff_user, organization))

    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23"
    )
    middleware(request)

    assert AuditEvent.objects.get().ip_address == "198.51.100.23"


def test_it_falls_back_to_the_connection_address_when_the_header_is_garbage(
    db, staff_user, settings
):
    settings.USE_X_FORWARDED_FOR = True
    organization = OrganizationFactory()
    middleware = RequestIPMiddleware(recording_view(staff_user, organization))

    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="unknown")
    middleware(request)

    assert AuditEvent.objects.get().ip_address == "203.0.113.9"


def test_it_forgets_the_ip_once_the_request_is_answered(db, staff_user):
    organization = OrganizationFactory()
    RequestIPMiddleware(recording_view(staff_user, organization))(
        RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    )

    assert current_ip.get() is None
    with transaction.atomic():
        event = audit_record(actor=staff_user, action="task.ran", obj=organization)
    assert event.ip_address is None


def test_the_middleware_is_installed(client, db, settings):
    assert "registrasi.audit.middleware.RequestIPMiddleware" in settings.MIDDLEWARE


def test_it_records_no_actor_for_an_anonymous_visitor(db):
    organization = OrganizationFactory()

    with transaction.atomic():
        event = audit_record(actor=AnonymousUser(), action="certificate.verified", obj=organization)

    assert event.actor is None


def test_the_timeline_lists_one_objects_events_oldest_first(db, staff_user, inspector):
    organization, other = OrganizationFactory(), OrganizationFactory()
    with transaction.atomic():
        audit_record(actor=staff_user, action="first", obj=organization)
        audit_record(actor=inspector, action="elsewhere", obj=other)
        audit_record(actor=inspector, action="second", obj=organization)

    events = list(timeline_for(organization))

    assert [event.action for event in events] == ["first", "second"]
    assert [event.actor for event in events] == [staff_user, inspector]


def test_without_a_proxy_it_ignores_the_clients_forwarded_header(db, staff_user, settings):
    settings.USE_X_FORWARDED_FOR = False
    organization = OrganizationFactory()
    middleware = RequestIPMiddleware(recording_view(staff_user, organization))

    request = RequestFactory().post(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.23"
    )
    middleware(request)

    assert AuditEvent.objects.get().ip_address == "203.0.113.9"
