from django.test import override_settings


@override_settings(DEBUG=False)
def test_an_unknown_page_gets_the_portals_404(client, db):
    response = client.get("/this-page-does-not-exist/")

    assert response.status_code == 404
    assert "Registrasi" in response.content.decode()
    assert 'href="/"' in response.content.decode()


@override_settings(DEBUG=False)
def test_a_refused_action_gets_the_portals_403(client, db, settings):
    settings.RATELIMIT_ENABLE = True
    url = "/accounts/login/"
    for _ in range(11):
        response = client.post(url, {"username": "a@example.test", "password": "wrong"})

    assert response.status_code == 403
    assert "Registrasi" in response.content.decode()
