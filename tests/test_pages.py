"""The ministry's face (issue 15, point 1): the header names the ministry beside its emblem,
the footer gives the helpdesk from settings and links to the terms of use, the privacy
notice and the accessibility statement, each in Indonesian and English."""

import re

import pytest
from django.urls import reverse

from registrasi.pages import emblem_url

FOOTER_PAGES = ("terms", "accounts:privacy", "accessibility")


def reading(client, language):
    client.cookies["django_language"] = language
    return client


def english(client):
    return reading(client, "en")


def footer(html):
    return re.search(r"<footer.*</footer>", html, re.S).group(0)


def test_every_page_names_the_ministry_beside_its_emblem(client, db):
    html = client.get(reverse("home")).content.decode()

    assert "Kementerian Komunikasi dan Digital" in html
    assert 'class="emblem" src="/static/img/emblem.svg" alt=""' in html


def test_the_footer_gives_the_helpdesk_from_settings(client, db, settings):
    settings.HELPDESK_EMAIL = "bantuan@komdigi.example"
    settings.HELPDESK_PHONE = "+62 21 1500 001"
    settings.HELPDESK_HOURS = "Senin–Jumat 07.30–16.00 WIB"
    settings.MINISTRY_NAME = "Kementerian Contoh"

    html = footer(client.get(reverse("home")).content.decode())

    assert 'href="mailto:bantuan@komdigi.example"' in html
    assert 'href="tel:+62211500001">+62 21 1500 001</a>' in html
    assert "Senin–Jumat 07.30–16.00 WIB" in html
    assert "Kementerian Contoh" in html


def test_without_helpdesk_hours_the_default_hours_are_in_the_readers_language(client, db):
    assert "Monday to Friday, 08.00–16.00 WIB" in english(client).get("/").content.decode()


@pytest.mark.parametrize("name", FOOTER_PAGES)
def test_the_footer_links_to_pages_that_answer_to_anyone(client, db, name):
    url = reverse(name)

    assert f'href="{url}"' in footer(client.get(reverse("home")).content.decode())
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "english_title", "indonesian_title"),
    [
        ("terms", "Terms of use", "Syarat Penggunaan"),
        ("accessibility", "Accessibility statement", "Pernyataan Aksesibilitas"),
    ],
)
def test_static_pages_come_in_the_readers_language(
    client, db, name, english_title, indonesian_title
):
    indonesian = reading(client, "id").get(reverse(name)).content.decode()
    assert f"<h1>{indonesian_title}</h1>" in indonesian
    assert 'lang="id"' in indonesian

    in_english = english(client).get(reverse(name)).content.decode()
    assert f"<h1>{english_title}</h1>" in in_english
    assert "helpdesk@registrasi.local" in in_english


def test_a_logged_in_applicant_sees_the_same_footer(client, applicant):
    client.force_login(applicant)

    html = client.get(reverse("applications:dashboard")).content.decode()

    assert f'href="{reverse("accessibility")}"' in footer(html)


def test_the_emblem_can_be_a_static_path_or_a_url():
    assert emblem_url("img/emblem.svg") == "/static/img/emblem.svg"
    assert emblem_url("https://cdn.example/garuda.svg") == "https://cdn.example/garuda.svg"


def test_the_flash_messages_list_keeps_its_list_semantics(client, applicant):
    """role="status" on the <ul> itself broke its list items (axe: listitem, serious)."""
    client.force_login(applicant)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get(reverse("applications:dashboard")).content.decode()

    assert '<ul class="messages" role="status">' not in html
    assert "<body hx-headers" not in html
