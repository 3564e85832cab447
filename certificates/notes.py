"""How the certificate history and emails tell what the system did to a certificate, in the
reader's language (see registrasi.audit.notes). certificates.services stores the action and
these parameters, never the sentence."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registrasi.audit.notes import note_renderer


@note_renderer("supersede")
def superseded(data):
    if "number" not in data:
        return ""
    return _("Replaced by certificate %(number)s after application %(reference)s was approved.") % {
        "number": data["number"],
        "reference": data.get("reference", ""),
    }


@note_renderer("hand_over")
def handed_over(data):
    return _("The renewed certificate took effect.")


@note_renderer("lift_suspension")
def suspension_lifted(data):
    return _("The suspension ended.")


@note_renderer("expiry_reminder")
def expiry_reminder(data):
    days = data.get("milestone")
    if days is None:
        return ""
    if days == 0:
        return _("The members were reminded that the certificate expires today.")
    return ngettext(
        "The members were reminded that the certificate expires in %(days)d day.",
        "The members were reminded that the certificate expires in %(days)d days.",
        days,
    ) % {"days": days}
