"""An NIB typed or pasted with spaces, dots or dashes reads as its 13 digits (issue 15,
point 6): the sign-up, walk-in and dispute forms take "8123 4567 8901 2" whole."""

import pytest
from django import forms

from registrasi.accounts.forms import DisputeForm, SignupForm
from registrasi.validators import NibField


class OneNib(forms.Form):
    nib = NibField()


@pytest.mark.parametrize(
    "typed", ["8123456789012", "8123 4567 8901 2", "8123.4567.8901.2", "8123-4567-8901-2"]
)
def test_a_grouped_nib_reads_as_its_digits(typed):
    form = OneNib({"nib": f" {typed} "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["nib"] == "8123456789012"


@pytest.mark.parametrize(
    "typed", ["8123 4567 890A 2", "8123 4567 8901", "8123 4567 8901 23", "8123/4567/8901/2"]
)
def test_anything_but_13_digits_is_still_refused(typed):
    assert not OneNib({"nib": typed}).is_valid()


def test_the_input_is_not_cut_at_13_characters():
    html = str(OneNib()["nib"])

    assert 'maxlength="25"' in html
    assert 'inputmode="numeric"' in html
    assert "pattern=" not in html


@pytest.mark.parametrize("form_class", [SignupForm, DisputeForm])
def test_the_nib_forms_use_it(form_class):
    assert isinstance(form_class.base_fields["nib"], NibField)


def test_a_dispute_reads_a_grouped_nib(db):
    form = DisputeForm({"nib": "8123 4567 8901 2"})
    form.is_valid()

    assert form.cleaned_data.get("nib") == "8123456789012"
