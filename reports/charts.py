"""Bar charts drawn as SVG on the server: readable on a phone and in print, no script needed.

Each function returns the geometry (in the SVG's own units, scaled by its viewBox) that
templates/reports/partials/*_chart.html draws.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import pgettext_lazy

from peken.money import rupiah_format

# the units of an amount printed above a bar: triliun, miliar, juta, ribu (in English T, B, M, K)
SHORT_UNITS = (
    (Decimal(10) ** 12, pgettext_lazy("rupiah singkat", "T")),
    (Decimal(10) ** 9, pgettext_lazy("rupiah singkat", "M")),
    (Decimal(10) ** 6, pgettext_lazy("rupiah singkat", "jt")),
    (Decimal(10) ** 3, pgettext_lazy("rupiah singkat", "rb")),
)


def rupiah_short(amount: Decimal) -> str:
    """An amount short enough to print above a bar, in the reader's language: 1,2 M, 45,3 jt, 495 rb."""
    amount = Decimal(amount)
    for size, unit in SHORT_UNITS:
        if abs(amount) >= size:
            return f"{plain_number((amount / size).quantize(Decimal('0.1')))} {unit}"
    return f"{amount:.0f}"


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    x: float
    y: float
    width: float
    height: float
    below: bool = False
    short: str = ""


MONTH_WIDTH, MONTH_HEIGHT, MONTH_TOP, MONTH_BOTTOM = 360, 180, 16, 24


def month_bars(values: list[tuple[str, Decimal]]) -> dict:
    """Vertical bars of one amount per month: {"bars", "width", "height", "max_label"}."""
    peak = max((value for _label, value in values), default=Decimal(0)) or Decimal(1)
    slot = MONTH_WIDTH / max(len(values), 1)
    plot = MONTH_HEIGHT - MONTH_TOP - MONTH_BOTTOM
    bars = []
    for n, (label, value) in enumerate(values):
        height = float(value) / float(peak) * plot
        bars.append(
            Bar(
                label=label,
                value_label=rupiah_format(value),
                x=round(n * slot + slot * 0.15, 1),
                y=round(MONTH_TOP + plot - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                short=rupiah_short(value) if value else "",
            )
        )
    return {
        "bars": bars,
        "width": MONTH_WIDTH,
        "height": MONTH_HEIGHT,
        "base_y": MONTH_HEIGHT - MONTH_BOTTOM,
        "label_y": MONTH_HEIGHT - 8,
        "max_label": rupiah_format(peak) if any(v for _l, v in values) else "",
    }


SHARE_WIDTH, SHARE_ROW, SHARE_LEFT = 360, 26, 0


def share_bars(rows: list[tuple[str, float | None]], *, target: int) -> dict:
    """Horizontal bars of a percentage per row (0-100 across), with the target drawn as a line."""
    bars = []
    for n, (label, percent) in enumerate(rows):
        share = min(max(percent or 0.0, 0.0), 100.0)
        bars.append(
            Bar(
                label=label,
                value_label="-" if percent is None else f"{number_format(percent, 1)}%",
                x=0,
                y=n * SHARE_ROW + 14,
                width=round(share / 100 * SHARE_WIDTH, 1),
                height=10,
                below=percent is not None and percent < target,
            )
        )
    height = len(rows) * SHARE_ROW + 6
    return {
        "bars": bars,
        "width": SHARE_WIDTH,
        "height": height,
        "target_x": round(target / 100 * SHARE_WIDTH, 1),
        "target": target,
    }


LEVEL_WIDTH, LEVEL_ROW, LEVEL_AXIS = 360, 28, 14


def nice_top(value: Decimal | float) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (1 for nothing)."""
    value = Decimal(str(value))
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if power * step >= value:
            return power * step
    return power * 10  # not reached: ten times the power is always enough


def plain_number(value: Decimal) -> str:
    """``value`` as the reader's locale writes it, grouped, without trailing zeros: 2.500, 1,25, 1,5."""
    whole = value.to_integral_value()
    if value == whole:
        return number_format(int(whole), force_grouping=True)
    return number_format(value.normalize(), force_grouping=True)


def level_bars(rows: list[tuple[str, Decimal | None, str]], *, top: Decimal) -> dict:
    """Horizontal bars of one value per row, 0 to ``top`` across, each with its name and value label
    printed above it (so a long name never squeezes the bar on a phone), and a faint line at each
    quarter of ``top``, numbered along the bottom."""
    top = Decimal(top) or Decimal(1)
    bars = []
    for n, (label, value, value_label) in enumerate(rows):
        share = min(max(float(value or 0) / float(top), 0.0), 1.0)
        bars.append(
            Bar(
                label=label,
                value_label=value_label,
                x=0,
                y=n * LEVEL_ROW + 16,
                width=round(share * LEVEL_WIDTH, 1),
                height=10,
            )
        )
    plot = len(rows) * LEVEL_ROW + 6
    ticks = [(round(LEVEL_WIDTH * q / 4, 1), plain_number(top * q / 4)) for q in range(1, 5)]
    return {
        "bars": bars,
        "width": LEVEL_WIDTH,
        "height": plot + LEVEL_AXIS,
        "plot_height": plot,
        "axis_y": plot + LEVEL_AXIS - 3,
        "ticks": ticks,
    }


AMOUNT_WIDTH, AMOUNT_ROW = 360, 26


def amount_bars(rows: list[tuple[str, Decimal]]) -> dict:
    """Horizontal bars of an amount per row, the largest across the whole width; each row's name and
    amount printed above its bar, so the chart reads on a phone (360 units wide) and in print."""
    peak = max((value for _label, value in rows), default=Decimal(0)) or Decimal(1)
    bars = [
        Bar(
            label=label,
            value_label=rupiah_format(value),
            x=0,
            y=n * AMOUNT_ROW + 14,
            width=round(float(value) / float(peak) * AMOUNT_WIDTH, 1),
            height=10,
            short=rupiah_short(value),
        )
        for n, (label, value) in enumerate(rows)
    ]
    return {"bars": bars, "width": AMOUNT_WIDTH, "height": len(rows) * AMOUNT_ROW + 6}
