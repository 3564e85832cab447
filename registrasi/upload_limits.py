"""What an upload field says next to it (issue 15, point 6): the file types it takes and the
size limit, from the same settings the checks in registrasi.uploads enforce, so the text and
the refusal never disagree. Lazy: the reader's language and MAX_UPLOAD_SIZE at render time.

    file = forms.FileField(help_text=upload_help(PDF_AND_IMAGE_TYPES))
"""

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext as _


def type_names(types) -> list[str]:
    """{"pdf": ..., "jpg": ..., "jpeg": ..., "png": ...} -> ["PDF", "JPEG", "PNG"]."""
    names = []
    for extension in types:
        name = "JPEG" if extension in ("jpg", "jpeg") else extension.upper()
        if name not in names:
            names.append(name)
    return names


def _upload_help(types, max_size=None) -> str:
    return _("%(types)s; at most %(size)s.") % {
        "types": get_text_list(type_names(types), _("or")),
        "size": filesizeformat(max_size or settings.MAX_UPLOAD_SIZE),
    }


upload_help = lazy(_upload_help, str)


# The template library `upload_limits` (settings.TEMPLATES "libraries"), for upload inputs
# written by hand in a template: {% load upload_limits %}{% upload_limits %}.
register = template.Library()


@register.simple_tag(name="upload_limits")
def upload_limits_tag() -> str:
    """PDF, JPEG or PNG, the documents' types (registrasi.uploads.PDF_AND_IMAGE_TYPES)."""
    from registrasi.uploads import PDF_AND_IMAGE_TYPES

    return _upload_help(PDF_AND_IMAGE_TYPES)
