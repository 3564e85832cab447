def test_home_shows_the_public_landing_page(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Pendaftaran" in response.content.decode() or "Registrasi" in response.content.decode()
