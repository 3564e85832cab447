"""Ids printed by templates are never localized: with USE_THOUSAND_SEPARATOR an id past 999
would print as "1,208" and break links, htmx targets and data attributes (it did on
PostgreSQL, where ids pass 1,000 in a long run)."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PRINTED_ID = re.compile(r"\{\{ ?[a-zA-Z_][\w.]*\.(?:pk|id) ?\}\}")


def test_no_template_prints_an_id_without_unlocalize():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in PRINTED_ID.finditer(path.read_text())
    ]
    assert offenders == []


def test_an_unlocalized_id_prints_its_plain_digits():
    class Row:
        pk = 123456

    template = Template('{% load l10n %}<a data-id="{{ row.pk|unlocalize }}">{{ row.pk }}</a>')
    with translation.override("en"):
        html = template.render(Context({"row": Row()}))
    assert 'data-id="123456"' in html
    assert settings.USE_THOUSAND_SEPARATOR  # why the filter is needed at all
