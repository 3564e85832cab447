import io

import pytest
from pypdf import PdfReader

from registrasi.pdf import STATIC_DIR, ForbiddenResource, render_pdf, static_path_for


def test_it_serves_only_files_under_static():
    font = STATIC_DIR / "fonts" / "DejaVuSans.ttf"
    assert static_path_for(font.as_uri()) == font
    with pytest.raises(ForbiddenResource):
        static_path_for("file:///etc/passwd")
    with pytest.raises(ForbiddenResource):
        static_path_for("http://127.0.0.1:1/x.png")


def test_it_prints_hostile_text_as_text(tmp_path, settings):
    template = tmp_path / "hostile.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block content %}<p>{{ name }}</p>{% endblock %}'
    )
    settings.TEMPLATES[0]["DIRS"] = [*settings.TEMPLATES[0]["DIRS"], tmp_path]
    name = '<img src="file:///etc/passwd">PT <b>Jahat</b>'
    rendered = render_pdf("hostile.html", {"name": name})
    assert "&lt;img" in rendered.html
    text = PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    assert "PT <b>Jahat</b>" in text
    assert "root:" not in text
