"""Accent- and case-insensitive matching that both databases run the same way.

`registrasi_unaccent(text)` is a database function: on PostgreSQL a migration creates it over
the unaccent extension (applications 0011, indexed with pg_trgm); on SQLite it is this module's
`strip_accents`, registered on every new connection. Queries compare
UPPER(registrasi_unaccent(column)) with `normalize(query)`."""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from django.db.models.functions import Upper

FUNCTION = "registrasi_unaccent"


def strip_accents(text):
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(query: str) -> str:
    """The form of a search term that matches the database's UPPER(registrasi_unaccent(..))."""
    return strip_accents(query).upper()


class Unaccent(Func):
    function = FUNCTION
    output_field = CharField()


def folded(field_name: str):
    """UPPER(registrasi_unaccent(field)): the expression the trigram index covers."""
    return Upper(Unaccent(field_name))


def _register(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, strip_accents, deterministic=True)


connection_created.connect(_register, dispatch_uid="registrasi_unaccent")
