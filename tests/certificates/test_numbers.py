import pytest

from certificates.numbers import (
    check_digits,
    check_number,
    is_well_formed,
    make_number,
    normalize,
    year_of,
)

NUMBER = make_number(2026, 123)


def test_it_makes_numbers_with_year_serial_and_two_check_digits():
    assert NUMBER.startswith("KOMINFO-CC-2026-000123-")
    body = "2026000123"
    assert NUMBER.endswith("-" + check_digits(body))
    # ISO 7064 MOD 97-10: the digits followed by their check leave remainder 1.
    assert int(body + check_digits(body)) % 97 == 1
    assert is_well_formed(NUMBER)
    assert year_of(NUMBER) == 2026


def test_it_grows_beyond_six_digit_serials():
    number = make_number(2026, 1234567)
    assert "-1234567-" in number
    assert is_well_formed(number)


def test_it_refuses_impossible_numbers():
    with pytest.raises(ValueError):
        make_number(2026, 0)
    with pytest.raises(ValueError):
        make_number(26, 1)


@pytest.mark.parametrize(
    "typed",
    [
        NUMBER.lower(),
        NUMBER.replace("-", " "),
        NUMBER.replace("-", ""),
        f"  {NUMBER}  ",
        NUMBER.replace("KOMINFO-CC-", ""),  # the prefix left out
        NUMBER.replace("-", " - ").lower(),
        NUMBER.replace("KOMINFO-CC", "kominfo cc"),
    ],
)
def test_it_reads_numbers_in_any_case_spacing_and_dashes(typed):
    assert normalize(typed) == NUMBER
    assert check_number(typed) == NUMBER
    assert is_well_formed(typed)


def test_it_catches_every_single_wrong_digit():
    digits = [i for i, c in enumerate(NUMBER) if c.isdigit()]
    for i in digits:
        for replacement in "0123456789":
            if replacement == NUMBER[i]:
                continue
            typo = NUMBER[:i] + replacement + NUMBER[i + 1 :]
            assert normalize(typo) == typo
            assert not is_well_formed(typo), typo


def test_it_catches_swapped_neighbouring_digits():
    compact = NUMBER.replace("-", "").replace("KOMINFOCC", "")
    for i in range(len(compact) - 1):
        if compact[i] == compact[i + 1]:
            continue
        swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
        assert not is_well_formed(swapped), swapped


@pytest.mark.parametrize(
    "typed",
    ["", "hello", "KOMINFO-CC-2026", "KOMINFO-CC-2026-123-45", "KOMINFO-CC-2026-00012X-45", None],
)
def test_it_says_what_is_not_shaped_like_a_number(typed):
    assert normalize(typed) is None
    assert check_number(typed) is None
    assert not is_well_formed(typed)


def test_it_uses_the_prefix_from_settings(settings):
    settings.CERTIFICATE_NUMBER_PREFIX = "KOMDIGI-CC"
    number = make_number(2027, 5)
    assert number.startswith("KOMDIGI-CC-2027-000005-")
    assert check_number(number.lower().replace("-", "")) == number
