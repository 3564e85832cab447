"""The ministry's face on every page (header, footer, helpdesk) and the footer's static pages:
terms of use and the accessibility statement, each in Indonesian and English (the privacy
notice lives with the accounts, registrasi.accounts.privacy_views)."""

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULT_HOURS = _("Monday to Friday, 08.00–16.00 WIB")


def emblem_url(value: str) -> str:
    """MINISTRY_EMBLEM is a static path (the default placeholder) or an absolute URL."""
    if value.startswith(("http://", "https://", "/")):
        return value
    return static(value)


def ministry(request):
    """Context processor: `ministry` for base.html's header and footer."""
    phone = settings.HELPDESK_PHONE
    return {
        "ministry": {
            "name": settings.MINISTRY_NAME,
            "short_name": settings.MINISTRY_SHORT_NAME,
            "emblem": emblem_url(settings.MINISTRY_EMBLEM),
            "address": settings.MINISTRY_ADDRESS,
            "helpdesk_email": settings.HELPDESK_EMAIL,
            "helpdesk_phone": phone,
            # tel: links take digits and a leading plus only.
            "helpdesk_tel": "".join(c for c in phone if c.isdigit() or c == "+"),
            "helpdesk_hours": settings.HELPDESK_HOURS or DEFAULT_HOURS,
        }
    }


def _language():
    return "en" if (get_language() or "id").startswith("en") else "id"


def terms(request):
    """Terms of use, in the reader's language."""
    return render(request, f"pages/terms_{_language()}.html")


def accessibility(request):
    """Accessibility statement (WCAG 2.2 AA), in the reader's language."""
    return render(request, f"pages/accessibility_{_language()}.html")
