import io

import pytest
from django.template import engines
from pypdf import PdfReader

from registrasi.pdf import STATIC_DIR, ForbiddenResource, html_to_pdf, static_path_for


def test_it_serves_only_files_under_static():
    font = STATIC_DIR / "fonts" / "DejaVuSans.ttf"
    assert static_path_for(font.as_uri()) == font
    with pytest.raises(ForbiddenResource):
        static_path_for("file:///etc/passwd")
    with pytest.raises(ForbiddenResource):
        static_path_for("http://127.0.0.1:1/x.png")


def test_it_prints_hostile_text_as_text():
    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block content %}<p>{{ name }}</p>'
        '<img src="file:///etc/hostname">{% endblock %}'
    )
    name = '<img src="file:///etc/passwd">PT <b>Jahat</b>'
    html = template.render({"name": name})
    assert "&lt;img" in html
    text = PdfReader(io.BytesIO(html_to_pdf(html))).pages[0].extract_text()
    assert "PT <b>Jahat</b>" in text
    assert "root:" not in text
