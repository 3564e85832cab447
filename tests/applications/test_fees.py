from decimal import Decimal

import pytest
from django.template import Context, Template

from applications import services
from applications.constants import Direction, Sourcing
from applications.fees import active_rules, compute_fee, default_rules, format_rupiah
from applications.models import FeeSchedule, FeeTier
from tests.applications.factories import ApplicationFactory


def fee(seats, sites=1, direction=Direction.INBOUND, sourcing=Sourcing.IN_HOUSE, rules=None):
    return compute_fee(
        rules=rules or default_rules(),
        agent_seats=seats,
        site_count=sites,
        direction=direction,
        sourcing=sourcing,
    )


@pytest.mark.parametrize(
    ("seats", "amount"),
    [
        (1, 5_000_000),
        (50, 5_000_000),
        (51, 10_000_000),
        (200, 10_000_000),
        (201, 20_000_000),
        (500, 20_000_000),
        (501, 35_000_000),
        (10_000, 35_000_000),
    ],
)
def test_it_picks_the_tier_at_the_boundaries(seats, amount):
    quote = fee(seats)
    assert quote.total == amount
    assert len(quote.lines) == 1


def test_it_charges_each_site_beyond_the_first():
    assert fee(10, sites=1).total == 5_000_000
    assert fee(10, sites=2).total == 7_500_000
    assert fee(10, sites=4).total == 12_500_000


def test_it_charges_no_site_fee_without_sites():
    assert fee(10, sites=0).total == 5_000_000


@pytest.mark.parametrize("direction", [Direction.OUTBOUND, Direction.BOTH])
def test_it_applies_the_outbound_factor_for_outbound_and_both(direction):
    assert fee(10, direction=direction).total == 6_250_000


def test_it_applies_the_outsourced_factor():
    assert fee(10, sourcing=Sourcing.OUTSOURCED).total == 5_500_000


def test_it_multiplies_both_factors_on_the_site_inclusive_subtotal_and_rounds_once():
    # (10.000.000 + 2 × 2.500.000) × 1,25 × 1,10 = 20.625.000
    quote = fee(60, sites=3, direction=Direction.BOTH, sourcing=Sourcing.OUTSOURCED)
    assert quote.total == 20_625_000
    assert sum(amount for _label, amount in quote.lines) == quote.total
    assert [amount for _label, amount in quote.lines] == [
        10_000_000,
        5_000_000,
        3_750_000,
        1_875_000,
    ]


def test_it_rounds_to_whole_rupiah_half_up():
    rules = default_rules()
    odd = type(rules)(
        tiers=[(None, 1_001)],
        per_extra_site=0,
        outbound_factor=Decimal("1.25"),
        outsourced_factor=Decimal("1.10"),
    )
    # 1001 × 1,25 = 1251,25 -> 1251; × 1,1 = 1376,375 -> 1376 (rounded once from the exact value)
    quote = fee(1, direction=Direction.OUTBOUND, sourcing=Sourcing.OUTSOURCED, rules=odd)
    assert quote.total == 1376
    assert sum(amount for _label, amount in quote.lines) == 1376


def test_the_default_schedule_comes_from_the_data_migration(db):
    schedule = FeeSchedule.objects.get(is_active=True)
    assert [(t.max_seats, t.amount) for t in schedule.tiers.all()] == [
        (50, 5_000_000),
        (200, 10_000_000),
        (500, 20_000_000),
        (None, 35_000_000),
    ]
    assert schedule.amount_per_extra_site == 2_500_000
    assert schedule.outbound_factor == Decimal("1.25")
    assert schedule.outsourced_factor == Decimal("1.10")


def test_staff_changes_to_the_schedule_change_the_quote(db, applicant):
    schedule = FeeSchedule.objects.get(is_active=True)
    FeeTier.objects.filter(schedule=schedule, max_seats=50).update(amount=6_000_000)
    application = ApplicationFactory(created_by=applicant, agent_seats=50)
    assert services.fee_quote(application=application).total == 6_000_000


def test_it_falls_back_to_the_built_in_schedule_when_none_is_active(db):
    FeeSchedule.objects.update(is_active=False)
    assert active_rules() == default_rules()


def test_the_database_allows_one_active_schedule(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FeeSchedule.objects.create(name="Second", is_active=True, amount_per_extra_site=1)


def test_the_quote_names_missing_facts(db, applicant):
    application = ApplicationFactory(created_by=applicant, agent_seats=None, direction="")
    quote = services.fee_quote(application=application)
    assert not quote.is_complete
    assert quote.total == 0
    assert len(quote.missing) == 2


def test_the_quote_counts_the_declared_sites(db, applicant):
    sites = [
        {"address": f"Jl. Contoh {n}", "province": "dki_jakarta", "agent_seats": 10}
        for n in range(3)
    ]
    application = ApplicationFactory(created_by=applicant, agent_seats=30, sites=sites)
    assert services.fee_quote(application=application).total == 10_000_000


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "Rp 0"), (1_500_000, "Rp 1.500.000"), (35_000_000, "Rp 35.000.000"), (999, "Rp 999")],
)
def test_rupiah_uses_indonesian_grouping(amount, text):
    assert format_rupiah(amount) == text
    assert Template("{% load money %}{{ a|rupiah }}").render(Context({"a": amount})) == text


def test_rupiah_filter_renders_nothing_for_nonsense():
    assert Template("{% load money %}{{ a|rupiah }}").render(Context({"a": "abc"})) == ""
    assert Template("{% load money %}{{ a|rupiah }}").render(Context({"a": None})) == ""
