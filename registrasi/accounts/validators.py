import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# [0-9], not \d: \d accepts other scripts' digits (Arabic-Indic, Devanagari), which the
# database check and the OSS do not.
NIB_PATTERN = re.compile(r"^[0-9]{13}$")
# Indonesian numbers: +62 or 0, then 8 to 13 digits; spaces and dashes allowed between.
PHONE_PATTERN = re.compile(r"^(\+62|62|0)[1-9][0-9]{6,12}$")


def validate_nib(value):
    if not NIB_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("The NIB (Nomor Induk Berusaha) must be exactly 13 digits."), code="invalid_nib"
        )


def normalize_phone(value):
    return re.sub(r"[\s\-().]", "", value or "")


def validate_phone(value):
    if not PHONE_PATTERN.fullmatch(normalize_phone(value)):
        raise ValidationError(
            _("Enter an Indonesian phone number, for example +62 21 1234 5678 or 0812 3456 7890."),
            code="invalid_phone",
        )
