"""Input rules every form shares: hidden characters, free-text limits, ASCII digits.

Names and identifiers (a legal name, a person's name, a role, a caption) refuse control
characters, bidi overrides, zero-width and other invisible formatting characters: they would
reach the public register and the certificate looking like something they are not. Free text
(an address, a note, a reason) keeps line breaks and tabs, drops the other invisible
characters and refuses a NUL byte. Every text field has a maximum length.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrasi.accounts.validators import validate_nib

# Limits for text stored in unbounded columns (TextField): long enough for any real address
# or note, short enough that a page or a PDF printing it stays readable.
ADDRESS_MAX_LENGTH = 1000
FREE_TEXT_MAX_LENGTH = 4000
LONG_TEXT_MAX_LENGTH = 10000

# Control (Cc), format (Cf: bidi overrides, zero-width, soft hyphen, BOM), surrogates,
# private use, unassigned, and the line/paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_KEPT_IN_FREE_TEXT = frozenset("\n\t")


def is_hidden_character(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES


def validate_no_hidden_characters(value):
    """Refuse a name or identifier carrying characters one cannot see."""
    # isprintable() (in C) is False for every hidden category: a printable value has none.
    if value and not str(value).isprintable() and any(is_hidden_character(ch) for ch in str(value)):
        raise ValidationError(
            _(
                "This field contains control, direction or invisible characters; "
                "type it again without them."
            ),
            code="hidden_characters",
        )


def validate_no_nul(value):
    if value and "\x00" in str(value):
        raise ValidationError(_("This field contains a NUL character."), code="null_characters")


def strip_hidden_characters(value: str) -> str:
    """Free text without invisible characters; line breaks (as \\n) and tabs kept, NUL kept
    so that validate_no_nul refuses it."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.replace("\n", "").replace("\t", "").isprintable():
        return value  # nothing hidden (isprintable() is False for every hidden category)
    return "".join(
        ch
        for ch in value
        if ch in _KEPT_IN_FREE_TEXT or ch == "\x00" or not is_hidden_character(ch)
    )


def validate_ascii_digits(value):
    if value and not all("0" <= ch <= "9" for ch in str(value)):
        raise ValidationError(_("Use the digits 0 to 9 only."), code="ascii_digits")


def clean_free_text(value, *, max_length=FREE_TEXT_MAX_LENGTH, label=None) -> str:
    """The free-text rule for input that does not pass through a Django field (the
    inspection checklist): strip, drop invisible characters, refuse NUL and excess length."""
    value = strip_hidden_characters(str(value or "")).strip()
    validate_no_nul(value)
    _validate_length(value, max_length, label)
    return value


def clean_name(value, *, max_length, label=None) -> str:
    """The name rule for input outside a Django field: NFC, no hidden characters, a limit."""
    value = unicodedata.normalize("NFC", str(value or "")).strip()
    validate_no_hidden_characters(value)
    _validate_length(value, max_length, label)
    return value


def _validate_length(value, max_length, label):
    if len(value) > max_length:
        message = _("Use at most %(limit)d characters (it has %(length)d).")
        if label:
            message = _("%(label)s: use at most %(limit)d characters (it has %(length)d).")
        raise ValidationError(
            message % {"label": label, "limit": max_length, "length": len(value)},
            code="max_length",
        )


class NameField(forms.CharField):
    """A single-line name or identifier: NFC-normalised, no invisible characters.
    `max_length` is required and must match the column."""

    default_validators = [validate_no_hidden_characters]

    def __init__(self, *, max_length, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value


class FreeTextField(forms.CharField):
    """Multi-line free text with a maximum length (4000 characters unless given);
    invisible characters dropped, NUL refused."""

    # NUL is refused by CharField's own ProhibitNullCharactersValidator.

    def __init__(self, *, max_length=FREE_TEXT_MAX_LENGTH, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = strip_hidden_characters(value)
        return super().to_python(value)


def AddressField(**kwargs):  # noqa: N802 - reads as a field class at the call site
    """A registered or site address: free text up to ADDRESS_MAX_LENGTH characters."""
    kwargs.setdefault("max_length", ADDRESS_MAX_LENGTH)
    return FreeTextField(**kwargs)


# Spaces, dots and dashes people put between an NIB's digits ("8123 4567 8901 2").
NIB_SEPARATORS = re.compile(r"[\s.\-]")


class NibField(forms.CharField):
    """An NIB as people type or paste it: "8123 4567 8901 2", "8123.4567.8901.2" or with
    dashes reads as its 13 digits (separators dropped before the checks). The input takes
    up to NIB_TYPED_MAX_LENGTH characters, so a pasted grouped NIB is not cut at 13."""

    NIB_TYPED_MAX_LENGTH = 25
    default_validators = [validate_nib]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(max_length=13, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return NIB_SEPARATORS.sub("", value) if value else value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["maxlength"] = str(self.NIB_TYPED_MAX_LENGTH)
        return attrs
