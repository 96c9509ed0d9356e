"""Rupiah to Stripe's minor units: IDR is not zero-decimal at Stripe."""

from decimal import Decimal

import pytest

from payments.money import minor_to_rupiah, rupiah_to_minor


@pytest.mark.parametrize(
    ("rupiah", "minor"),
    [
        (Decimal("15000"), 1_500_000),
        (Decimal("15000.00"), 1_500_000),  # Oscar's prices carry two decimal places
        (Decimal("0"), 0),
        (Decimal("188000000000"), 18_800_000_000_000),
        (7, 700),
    ],
)
def test_whole_rupiah_become_hundredths(rupiah, minor):
    # given an amount in whole rupiah, when it is converted, then Stripe gets it times 100, and back
    assert rupiah_to_minor(rupiah) == minor
    assert minor_to_rupiah(minor) == Decimal(rupiah)


@pytest.mark.parametrize(
    "bad",
    [
        Decimal("15000.5"),
        Decimal("0.01"),
        Decimal("-1"),
        Decimal("NaN"),
        Decimal("Infinity"),
        15000.0,
        "15000",
        True,
    ],
)
def test_fractions_negatives_and_floats_are_refused(bad):
    # given an amount that is not a whole, non-negative number of rupiah in a Decimal
    # when it is converted, then the helper refuses instead of rounding
    with pytest.raises(ValueError):
        rupiah_to_minor(bad)


@pytest.mark.parametrize("bad", [150, -100, 1.0, True])
def test_minor_amounts_that_are_not_whole_rupiah_are_refused(bad):
    with pytest.raises(ValueError):
        minor_to_rupiah(bad)
