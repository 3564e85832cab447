"""Certificate numbers: KOMINFO-CC-2026-000123-45.

The last two digits are an ISO 7064 MOD 97-10 check (the scheme IBANs use) over the year and
the serial: every single wrong digit and every swap of two neighbouring digits changes the
check, so a number typed from a paper certificate with a mistake is caught as mistyped
instead of being reported as unknown.

People type numbers in every shape: lower case, with spaces, without dashes, with the
prefix left out. `normalize` turns all of those into the canonical form.
"""

import re

from django.conf import settings

SERIAL_WIDTH = 6
_DIGITS = re.compile(r"^(?P<year>\d{4})(?P<serial>\d{6,})(?P<check>\d{2})$")
_SEPARATORS = re.compile(r"[\s\-_./]+")


def prefix() -> str:
    return settings.CERTIFICATE_NUMBER_PREFIX


def check_digits(body: str) -> str:
    """The two MOD 97-10 check digits for the digit string `body`."""
    if not body.isdigit():
        raise ValueError("The check is computed over digits only.")
    return f"{98 - (int(body + '00') % 97):02d}"


def make_number(year: int, serial: int) -> str:
    """The canonical number of the `serial`-th certificate issued in `year`."""
    if serial < 1 or not 1000 <= year <= 9999:
        raise ValueError("A certificate number needs a four-digit year and a positive serial.")
    body = f"{year:04d}{serial:0{SERIAL_WIDTH}d}"
    return f"{prefix()}-{year:04d}-{serial:0{SERIAL_WIDTH}d}-{check_digits(body)}"


def normalize(raw: str) -> str | None:
    """The canonical form of what someone typed, whether or not its check digits are right;
    None when it does not even have the shape of a certificate number."""
    if not isinstance(raw, str):
        return None
    compact = _SEPARATORS.sub("", raw).upper()
    compact_prefix = _SEPARATORS.sub("", prefix()).upper()
    if compact.startswith(compact_prefix):
        compact = compact[len(compact_prefix) :]
    match = _DIGITS.match(compact)
    if match is None:
        return None
    return f"{prefix()}-{match['year']}-{match['serial']}-{match['check']}"


def is_well_formed(raw: str) -> bool:
    """True when `raw` has the shape of a number and its check digits are right."""
    return check_number(raw) is not None


def check_number(raw: str) -> str | None:
    """The canonical number when `raw` is well formed (shape and check digits), else None."""
    canonical = normalize(raw)
    if canonical is None:
        return None
    year, serial, check = canonical[len(prefix()) + 1 :].split("-")
    return canonical if check_digits(year + serial) == check else None


def year_of(number: str) -> int:
    return int(number[len(prefix()) + 1 :].split("-")[0])
