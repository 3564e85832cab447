"""Tenancy: another organization's rows are invisible (so views 404), staff see everything."""

import pytest
from django.contrib.auth.models import AnonymousUser

from applications.models import Application, Document, DocumentVersion, Invoice, Payment
from tests.applications.factories import ApplicationFactory

MODELS = [Application, Document, DocumentVersion, Invoice, Payment]


@pytest.fixture
def mine_and_theirs(applicant, outsider):
    mine = ApplicationFactory(created_by=applicant, submitted=True, paid=True)
    theirs = ApplicationFactory(created_by=outsider, submitted=True, paid=True)
    return mine, theirs


def application_ids(model, user):
    rows = model.objects.visible_to(user)
    path = {
        Application: "pk",
        Document: "application_id",
        DocumentVersion: "document__application_id",
        Invoice: "application_id",
        Payment: "invoice__application_id",
    }[model]
    return set(rows.values_list(path, flat=True))


@pytest.mark.parametrize("model", MODELS)
def test_members_see_only_their_organizations_rows(model, mine_and_theirs, applicant, member):
    mine, _theirs = mine_and_theirs
    assert application_ids(model, applicant) == {mine.pk}
    assert application_ids(model, member) == {mine.pk}


@pytest.mark.parametrize("model", MODELS)
def test_staff_see_every_row(model, mine_and_theirs, staff_user):
    mine, theirs = mine_and_theirs
    assert application_ids(model, staff_user) == {mine.pk, theirs.pk}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["no_role_user", "inspector"])
def test_people_without_a_link_see_nothing(model, who, mine_and_theirs, request):
    assert application_ids(model, request.getfixturevalue(who)) == set()


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_visitors_see_nothing(model, mine_and_theirs):
    assert application_ids(model, AnonymousUser()) == set()
