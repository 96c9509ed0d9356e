"""The slow city-wide reads of the exposure and red flag reports, kept in the cache for a while.

Each red flag is found within one agency (split windows, requester pairs and spikes per agency; a
band, a price or an early payment per purchase, the price median being the city's whichever
agencies are asked for), so one city-wide reading per period serves every reader: ``narrowed``
keeps the agencies they may read, the same flags the selector finds when asked for those agencies.
Residents' shopping and the sellers near the cap name no agency at all.

Over a city's year these reads go through every requisition line (over 10 s together on 100,000
requisitions and 1.2 million lines), so each result is kept PEKEN_REPORT_SUMMARY_SECONDS, and
Celery beat reads this year and this month again every PEKEN_REPORT_SUMMARY_REFRESH_MINUTES
(``summaries_refresh``): their figures lag by at most that. Another period is read when first
asked for, then kept. A result names the thresholds it used in its key, so a changed setting is
never answered from an older reading. With PEKEN_REPORT_SUMMARY_SECONDS 0 nothing is kept.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from reports import exposure, red_flags
from reports.forms import ReportFilter

KINDS = ("pecah", "harga", "pasangan", "ambang", "akhir-tahun", "bayar-dulu")
_FLAG_READS: dict[str, Callable] = {
    "pecah": red_flags.split_purchases,
    "harga": red_flags.price_outliers,
    "pasangan": red_flags.frequent_pairs,
    "ambang": red_flags.just_under_band,
    "bayar-dulu": red_flags.paid_before_receipt,
}


@dataclass(frozen=True)
class Kept:
    """One reading: its rows and when they were read."""

    rows: list
    read_at: datetime


def _key(name: str, *parts) -> str:
    # the thresholds in force are part of what was asked
    asked = repr((parts, red_flags.flag_settings(), sorted(settings.PEKEN_VALUE_BANDS), _cap_settings()))
    return f"peken:laporan:{name}:{hashlib.sha256(asked.encode()).hexdigest()}"


def _cap_settings() -> tuple:
    return (
        settings.PEKEN_OFFICIAL_SELLER_CAP,
        settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS,
        settings.PEKEN_SELLER_CAP_NEAR_PERCENT,
    )


def _kept(key: str, read: Callable[[], list], *, fresh: bool, also: Callable | None = None) -> Kept:
    """The reading kept under ``key``, or read now (and kept, with ``also`` given it)."""
    seconds = settings.PEKEN_REPORT_SUMMARY_SECONDS
    found = None if fresh or not seconds else cache.get(key)
    if found is None:
        found = Kept(rows=read(), read_at=timezone.now())
        if seconds:
            cache.set(key, found, seconds)
            if also is not None:
                also(found)
    return found


def _flags_key(kind: str, f: ReportFilter) -> str:
    # a spike is a fiscal year's, whatever the month
    return _key(kind, f.year) if kind == "akhir-tahun" else _key(kind, *f.bounds())


def _flags_read(kind: str, f: ReportFilter) -> list:
    if kind == "akhir-tahun":
        return red_flags.year_end_spike(fiscal_year=f.year)
    start, end = f.bounds()
    return _FLAG_READS[kind](start=start, end=end)


def flags_city(*, kind: str, f: ReportFilter, fresh: bool = False) -> Kept:
    """Every agency's flags of ``kind`` in the filter's period (the spike: its fiscal year).

    How many each agency has is kept beside them (``flag_counts``), so a page that only counts a
    kind need not load its flags: a city's year may hold tens of thousands.
    """
    key = _flags_key(kind, f)

    def count(kept: Kept) -> None:
        per_agency = Kept(rows=Counter(row.agency_id for row in kept.rows), read_at=kept.read_at)
        cache.set(f"{key}:n", per_agency, settings.PEKEN_REPORT_SUMMARY_SECONDS)

    return _kept(key, lambda: _flags_read(kind, f), fresh=fresh, also=count)


def flag_counts(*, kind: str, f: ReportFilter, agency_ids: Iterable[int]) -> int:
    """How many flags of ``kind`` the agencies ``agency_ids`` have in the filter's period."""
    wanted = set(agency_ids)
    per_agency = cache.get(f"{_flags_key(kind, f)}:n") if settings.PEKEN_REPORT_SUMMARY_SECONDS else None
    if per_agency is None:
        return len(narrowed(flags_city(kind=kind, f=f).rows, wanted))
    return sum(per_agency.rows.get(agency_id, 0) for agency_id in wanted)


def narrowed(rows: Iterable, agency_ids: Iterable[int]) -> list:
    """The flags of ``agency_ids`` among ``rows``, in their order."""
    wanted = set(agency_ids)
    return [row for row in rows if row.agency_id in wanted]


def personal_spend_city(*, start: date, end: date, fresh: bool = False) -> Kept:
    """Residents' shopping per kecamatan, category and month (exposure.personal_spend), kept."""
    return _kept(
        _key("warga", start, end), lambda: exposure.personal_spend(start=start, end=end), fresh=fresh
    )


def sellers_near_cap_city(*, fresh: bool = False) -> Kept:
    """The sellers at or near the official cap (exposure.sellers_near_cap), kept."""
    return _kept(_key("batas", timezone.localdate()), exposure.sellers_near_cap, fresh=fresh)


def summaries_refresh() -> int:
    """Read this year's and this month's city-wide figures again and keep them; how many were read.

    For Celery beat, so the periods people open most never wait for a reading.
    """
    today = timezone.localdate()
    periods = (ReportFilter(year=today.year), ReportFilter(year=today.year, month=today.month))
    count = 0
    for f in periods:
        for kind in KINDS:
            if kind == "akhir-tahun" and f.month:
                continue  # a fiscal year's, whatever the month
            flags_city(kind=kind, f=f, fresh=True)
            count += 1
        start, end = f.bounds()
        personal_spend_city(start=start, end=end, fresh=True)
        count += 1
    sellers_near_cap_city(fresh=True)
    return count + 1
