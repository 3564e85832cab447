"""The README tells the truth about the demo accounts and the configuration variables."""

import re
from pathlib import Path

from registrasi.accounts.management.commands.load_demo_data import DEMO_PASSWORD, PEOPLE
from tests.test_compose import variables_the_app_reads

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, title
    return match.group(1)


def table_rows(text):
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def test_the_demo_accounts_table_matches_load_demo_data():
    rows = table_rows(section("Demo accounts"))

    assert [(role, email, password) for role, email, password, _org in rows] == [
        (person.role, person.email, DEMO_PASSWORD) for person in PEOPLE
    ]
    for (_role, _email, _password, organization), person in zip(rows, PEOPLE, strict=True):
        if person.organization:
            assert person.organization.legal_name in organization


def test_every_variable_the_app_reads_is_documented():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section("Configuration")))

    assert variables_the_app_reads() - documented == set()


def test_the_two_commands_are_documented():
    assert "make run" in README
    assert "make test" in README
