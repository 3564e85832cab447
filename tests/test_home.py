"""The home page: visitors get the landing page, every role is sent to its own dashboard."""

import pytest
from django.urls import reverse

from registrasi.accounts.constants import INSPECTOR_GROUP
from registrasi.accounts.roles import add_to_role
from tests.factories import UserFactory


def test_a_visitor_sees_the_landing_page(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "home.html"
    content = response.content.decode()
    assert reverse("accounts:login") in content
    assert reverse("accounts:signup") in content
    assert reverse("certificates:verify_form") in content


@pytest.mark.parametrize(
    ("person", "destination"),
    [
        ("staff_user", "applications:staff_queue"),
        ("inspector", "inspections:schedule"),
        ("applicant", "applications:dashboard"),
        ("member", "applications:dashboard"),
    ],
)
def test_each_role_is_sent_to_its_dashboard(client, request, person, destination):
    client.force_login(request.getfixturevalue(person))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse(destination)


def test_ministry_staff_who_also_inspect_land_on_the_work_queue(client, staff_user):
    add_to_role(staff_user, INSPECTOR_GROUP)
    client.force_login(staff_user)

    assert client.get("/")["Location"] == reverse("applications:staff_queue")


def test_a_user_without_a_role_sees_the_no_role_page(client, no_role_user):
    client.force_login(no_role_user)

    response = client.get("/")

    assert response.status_code == 200
    assert "no_role.html" in [t.name for t in response.templates]


def test_a_site_administrator_without_a_ministry_role_is_sent_to_the_admin(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_language_switch_makes_the_home_page_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    content = client.get("/").content.decode()

    assert '<html lang="en">' in content
    assert "Registration of call-center businesses" in content


def test_the_language_switch_goes_back_to_indonesian(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})

    assert '<html lang="id">' in client.get("/").content.decode()


def test_the_language_switch_is_offered_on_every_page(client, db):
    content = client.get("/").content.decode()

    assert reverse("set_language") in content
    assert 'name="language" value="en"' in content
    assert 'name="language" value="id"' in content


def test_the_language_switch_returns_to_the_page_it_was_used_on(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/registry/"})

    assert response["Location"] == "/registry/"
