"""The one conversion between rupiah and Stripe's minor units.

Stripe does not treat IDR as a zero-decimal currency: amounts go to it in
hundredths of a rupiah, so Rp15.000 is sent as 1500000. Peken's prices are whole
rupiah, and a fraction of a rupiah here is a bug upstream, so it is refused rather
than rounded away.
"""

from decimal import Decimal

MINOR_UNITS_PER_RUPIAH = 100


def rupiah_to_minor(amount: Decimal) -> int:
    """Rupiah (whole, not negative) to the integer Stripe expects. Raises ValueError."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise ValueError(f"amount must be a Decimal of whole rupiah, not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount must be zero or more rupiah, not {amount}")
    if amount != amount.to_integral_value():
        raise ValueError(f"amount must be whole rupiah, not {amount}")
    return int(amount) * MINOR_UNITS_PER_RUPIAH


def minor_to_rupiah(minor: int) -> Decimal:
    """Stripe's integer amount back to whole rupiah. Raises ValueError on a fraction or a negative."""
    if not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
        raise ValueError(f"minor amount must be a non-negative integer, not {minor!r}")
    rupiah, remainder = divmod(minor, MINOR_UNITS_PER_RUPIAH)
    if remainder:
        raise ValueError(f"{minor} is not a whole number of rupiah")
    return Decimal(rupiah)
