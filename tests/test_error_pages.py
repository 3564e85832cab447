from django.test import override_settings
from django.urls import reverse


@override_settings(DEBUG=False)
def test_an_unknown_page_gets_the_portals_404(client, db):
    response = client.get("/this-page-does-not-exist/")

    assert response.status_code == 404
    assert "Registrasi" in response.content.decode()
    assert 'href="/"' in response.content.decode()


@override_settings(DEBUG=False)
def test_a_refused_action_gets_the_portals_403(client, applicant):
    # An applicant on the ministry's work queue (logins that fail too often get a 429 page,
    # tests/accounts/test_throttling.py).
    client.force_login(applicant)
    response = client.get(reverse("applications:staff_queue"))

    assert response.status_code == 403
    assert "Registrasi" in response.content.decode()
