"""A favicon (issue 15, point 1): every page names the shipped icon and /favicon.ico, which
browsers ask for on their own, redirects to it instead of answering 404."""

from pathlib import Path

from django.conf import settings
from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_shipped_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    icon = Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg"
    assert icon.read_text().lstrip().startswith("<svg")


def test_every_page_names_the_icon(client, db):
    body = client.get("/").content.decode()
    assert f'<link rel="icon" type="image/svg+xml" href="{static("img/favicon.svg")}">' in body
