"""The monthly summary email: last month's spending to each PA/KPA for their agency, and to the auditors.

Sent on the 1st by Celery beat (reports.tasks.monthly_summaries_send) or for any month with
``manage.py reports_monthly_summary --bulan 2026-03``. Each PA/KPA (a budget-holder membership)
gets one email per agency they hold the budget of; each city-wide auditor one for the city.
It holds the year's budget realisation as the budget lines stand when it is made (ceiling,
committed, realised, percent) and what was paid in the month, the UMKM share of the month and
the year to date against the target, the red flags of the month counted, and links to the
report pages. Each person's email is written in their language (buyers.selectors.user_languages);
figures are written as the report pages write them.

Once per person, scope and month: the MonthlySummarySent row is written in the transaction
that sends the email, under its unique constraint, so a beat that fires twice (or a task run
again after a lost acknowledgement) sends nothing twice; an email that fails to send leaves
no row, and the next run sends it.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buyers.selectors import user_languages
from procurement.models import Agency, BudgetLine, Membership, Requisition
from procurement.statuses import Role
from reports import red_flags, selectors
from reports.forms import MONTHS, ReportFilter
from reports.models import MonthlySummarySent
from reports.selectors import ShareRow
from reports.tables import percent_text

# the red flags counted, in the order the email lists them
FLAGS = {
    "split": gettext_lazy("Pembelian dipecah di bawah batas nilai"),
    "near_band": gettext_lazy("Pembelian tepat di bawah batas nilai"),
    "price": gettext_lazy("Harga satuan jauh di atas median kota"),
    "pairs": gettext_lazy("Pemohon dan penjual yang sama berulang kali"),
    "paid_early": gettext_lazy("Dibayar sebelum serah terima"),
    "year_end": gettext_lazy("Lonjakan pembelian di akhir tahun"),
}


@dataclass
class Summary:
    """One agency's month (``agency``), or the city's (None)."""

    agency: Agency | None
    ceiling: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    realised: Decimal = Decimal(0)
    paid_month: Decimal = Decimal(0)
    umkm_month: ShareRow = ShareRow("", Decimal(0), Decimal(0))
    umkm_ytd: ShareRow = ShareRow("", Decimal(0), Decimal(0))
    flags: Counter = field(default_factory=Counter)

    @property
    def available(self) -> Decimal:
        return self.ceiling - self.committed - self.realised

    @property
    def percent(self) -> float | None:
        return float(self.realised) * 100.0 / float(self.ceiling) if self.ceiling else None


def last_month(today: date | None = None) -> tuple[int, int]:
    """(year, month) of the month before ``today`` (the city's today by default)."""
    first = (today or timezone.localdate()).replace(day=1)
    previous = first - timedelta(days=1)
    return previous.year, previous.month


def _flag_counts(*, year: int, month: int) -> dict[int, Counter]:
    """Each agency's red flags of the month, counted per kind (seven queries, whatever the rows)."""
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    found: dict[str, list[int]] = {
        "split": [f.agency_id for f in red_flags.split_purchases(start=start, end=end)],
        "near_band": [f.agency_id for f in red_flags.just_under_band(start=start, end=end)],
        "price": [f.agency_id for f in red_flags.price_outliers(start=start, end=end)],
        "pairs": [f.agency_id for f in red_flags.frequent_pairs(start=start, end=end)],
    }
    early = [f.requisition_id for f in red_flags.paid_before_receipt(start=start, end=end)]
    agency_of = dict(Requisition.objects.filter(pk__in=early).values_list("pk", "agency_id")) if early else {}
    found["paid_early"] = [agency_of[pk] for pk in early]
    # the spike is of the fiscal year's last weeks: told with December's summary
    spikes = red_flags.year_end_spike(fiscal_year=year) if month == 12 else []
    found["year_end"] = [f.agency_id for f in spikes]
    counts: dict[int, Counter] = {}
    for kind, agency_ids in found.items():
        for agency_id in agency_ids:
            counts.setdefault(agency_id, Counter())[kind] += 1
    return counts


def monthly_figures(*, year: int, month: int) -> tuple[dict[int, Summary], Summary]:
    """Every agency's summary of the month (by agency id) and the city's; a fixed number of queries."""
    agencies = Agency.objects.all()
    f = ReportFilter(year=year, month=month)
    _sort, realisation = selectors.realisation_agencies(agencies=agencies, f=f)
    shares = {row.pk: row for row in selectors.umkm_share_agencies(agencies=agencies, f=f)}
    flags = _flag_counts(year=year, month=month)
    summaries = {}
    for row in realisation:
        share = shares[row.pk]
        summaries[row.pk] = Summary(
            agency=row,
            ceiling=row.ceiling,
            committed=row.committed,
            realised=row.realised,
            paid_month=row.paid,
            umkm_month=ShareRow("", share.month_umkm, share.month_total),
            umkm_ytd=ShareRow("", share.ytd_umkm, share.ytd_total),
            flags=flags.get(row.pk, Counter()),
        )
    totals = selectors.realisation_totals(rows=BudgetLine.objects.filter(fiscal_year=year))
    city_share = selectors.umkm_share_city(agencies=agencies, f=f)
    city = Summary(
        agency=None,
        ceiling=totals["ceiling"],
        committed=totals["committed"],
        realised=totals["realised"],
        paid_month=sum((s.paid_month for s in summaries.values()), Decimal(0)),
        umkm_month=city_share["months"][month - 1],
        umkm_ytd=city_share["ytd"],
        flags=sum((s.flags for s in summaries.values()), Counter()),
    )
    return summaries, city


def summary_recipients():
    """(membership) of every active PA/KPA of an agency and every active city-wide auditor with an email."""
    return (
        Membership.objects.filter(
            Q(role=Role.BUDGET_HOLDER, agency__isnull=False) | Q(role=Role.AUDITOR, agency__isnull=True),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "agency")
        .order_by("pk")
    )


def _absolute(path: str, query: dict) -> str:
    domain = Site.objects.get_current().domain
    return f"{settings.OSCAR_URL_SCHEMA}://{domain}{path}?{urlencode(query)}"


def summary_message(*, summary: Summary, email: str, year: int, month: int) -> EmailMultiAlternatives:
    """The email of one summary to ``email``, in the active language: a text part and an HTML part."""
    scope = summary.agency.name if summary.agency else settings.PEKEN_CITY_NAME
    month_name = str(dict(MONTHS)[month])
    query = {"tahun": year, "bulan": month}
    if summary.agency:
        query["opd"] = summary.agency.code
    target = selectors.umkm_target()
    context = {
        "s": summary,
        "scope": scope,
        "month_name": month_name,
        "year": year,
        "percent": percent_text(summary.percent),
        "umkm_month_percent": percent_text(summary.umkm_month.percent),
        "umkm_ytd_percent": percent_text(summary.umkm_ytd.percent),
        "umkm_below": summary.umkm_ytd.below,
        "target": target,
        "flags": [(label, summary.flags.get(kind, 0)) for kind, label in FLAGS.items()],
        "flags_total": sum(summary.flags.values()),
        "realisation_url": _absolute(reverse("reports:realisation"), query),
        "umkm_url": _absolute(reverse("reports:umkm"), query),
    }
    subject = _("Ringkasan belanja %(month)s %(year)s: %(scope)s") % {
        "month": month_name,
        "year": year,
        "scope": scope,
    }
    text = render_to_string("reports/email/monthly_summary.txt", context)
    message = EmailMultiAlternatives(subject, text, None, [email])
    message.attach_alternative(render_to_string("reports/email/monthly_summary.html", context), "text/html")
    return message


def monthly_summaries_send(*, year: int | None = None, month: int | None = None) -> int:
    """Send the summary of ``year``/``month`` (default last month) to each recipient once; how many sent.

    Raises what the mail backend raises (the task retries: those already sent are not sent again).
    """
    if year is None or month is None:
        year, month = last_month()
    recipients = list(summary_recipients())
    if not recipients:
        return 0
    already = set(
        MonthlySummarySent.objects.filter(year=year, month=month).values_list("user_id", "agency_id")
    )
    pending = [m for m in recipients if (m.user_id, m.agency_id) not in already]
    if not pending:
        return 0
    summaries, city = monthly_figures(year=year, month=month)
    languages = user_languages(user_ids=[m.user_id for m in pending])
    sent = 0
    for membership in pending:
        summary = city if membership.agency_id is None else summaries.get(membership.agency_id)
        if summary is None:
            continue
        language = languages[membership.user_id]
        with transaction.atomic():
            _log, created = MonthlySummarySent.objects.get_or_create(
                user_id=membership.user_id,
                agency_id=membership.agency_id,
                year=year,
                month=month,
                defaults={"language": language},
            )
            if not created:
                continue  # another run got there first
            with translation.override(language):
                summary_message(summary=summary, email=membership.user.email, year=year, month=month).send()
        sent += 1
    return sent
