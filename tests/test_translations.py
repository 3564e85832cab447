"""The Indonesian catalogue is complete and compiled: every string has a translation."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_string_has_an_indonesian_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_the_compiled_catalogue_matches_the_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists(), "run `make messages` and commit django.mo"
    source = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE)).translated_entries()}
    built = {e.msgid: e.msgstr for e in polib.mofile(str(compiled))}
    assert {k: v for k, v in source.items() if k} == {k: v for k, v in built.items() if k}
