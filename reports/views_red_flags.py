"""Red flags for auditors: each kind on its own tab (?jenis=), the purchases behind it linked to their trail.

A reader sees the flags of the agencies they may read (report_agencies; a PA/KPA their own) in the
filter bar's period (the year, or the month) and agency; the year-end spike is about the whole
fiscal year. Only the price flag compares with something beyond those agencies: the city's median
price, an aggregate over every agency's purchases that names none of them. Every kind is counted
on every page and the chosen one listed, from the city's readings that reports/summaries.py keeps
(a fixed number of queries; none for a kept reading). The filter bar's unit, kecamatan and scale
are not offered here.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from reports import red_flags, summaries
from reports.list_tables import ListTablesMixin, rows_sorted
from reports.tables import DECIMAL, NUMBER, RUPIAH, TEXT
from reports.views import ExportMixin, ReportMixin

Partner = get_model("partner", "Partner")
User = get_user_model()

FILTER_FIELDS = ("tahun", "bulan", "opd")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Kind:
    """One kind of flag: its tab (?jenis=slug), the columns its table sorts by, and its first order."""

    slug: str
    label: Promise
    sorts: tuple[str, ...]
    default_sort: str


# each kind's tab: its label, the columns its table sorts by, and its first order
_TABS = {
    "pecah": (gettext_lazy("Pembelian dipecah"), ("agency", "seller", "band", "total", "count"), "-total"),
    "harga": (
        gettext_lazy("Harga jauh di atas median"),
        ("reference", "agency", "seller", "price", "median", "ratio"),
        "-ratio",
    ),
    "pasangan": (
        gettext_lazy("Pemohon dan penjual yang sama"),
        ("agency", "requester", "seller", "count", "ratio"),
        "-count",
    ),
    "ambang": (
        gettext_lazy("Tepat di bawah batas nilai"),
        ("reference", "agency", "seller", "amount", "gap"),
        "gap",
    ),
    "akhir-tahun": (gettext_lazy("Lonjakan akhir tahun"), ("reference", "agency", "date"), "date"),
    "bayar-dulu": (
        gettext_lazy("Dibayar sebelum diterima"),
        ("reference", "agency", "seller", "paid", "received", "days"),
        "paid",
    ),
}
KINDS = tuple(Kind(slug, *_TABS[slug]) for slug in summaries.KINDS)
BY_SLUG = {kind.slug: kind for kind in KINDS}
# how the PDF writes each kind's export columns (a band is an int of rupiah, a multiple a Decimal)
EXPORT_KINDS = {
    "pecah": (NUMBER, TEXT, TEXT, RUPIAH, RUPIAH, TEXT, TEXT),
    "harga": (TEXT, TEXT, TEXT, TEXT, RUPIAH, RUPIAH, DECIMAL, TEXT),
    "pasangan": (NUMBER, TEXT, TEXT, TEXT, NUMBER, DECIMAL, DECIMAL, TEXT, TEXT),
    "ambang": (TEXT, TEXT, TEXT, RUPIAH, RUPIAH, RUPIAH, TEXT),
    "akhir-tahun": (TEXT, NUMBER, NUMBER, DECIMAL, DECIMAL, TEXT, TEXT, TEXT),
    "bayar-dulu": (TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, NUMBER, TEXT),
}

# a key per column a table may sort by; a row is a dict with its flag and the names for its ids
SORT_KEYS = {
    "reference": lambda row: row["requisition_id"],
    "agency": lambda row: row["agency"].casefold(),
    "seller": lambda row: row["seller"].casefold(),
    "requester": lambda row: row["requester"].casefold(),
    "band": lambda row: row["flag"].band,
    "total": lambda row: row["flag"].total,
    "count": lambda row: row["count"],
    "price": lambda row: row["flag"].unit_price,
    "median": lambda row: row["flag"].median,
    "ratio": lambda row: row["ratio"],
    "amount": lambda row: row["flag"].amount,
    "gap": lambda row: row["gap"],
    "date": lambda row: row["purchase"].decided_on,
    "paid": lambda row: row["flag"].paid_on,
    "received": lambda row: row["flag"].last_received_on,
    "days": lambda row: row["days"],
}


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP) if whole else None


class RedFlagsMixin(ReportMixin):
    """The chosen kind, the agencies the flags cover, and a kind's flags as rows with names."""

    filter_fields = FILTER_FIELDS

    def kind(self) -> Kind:
        return BY_SLUG.get(self.request.GET.get("jenis", ""), KINDS[0])

    def readable(self) -> dict[int, str]:
        """Agency id -> name of the agencies in the report: the one chosen, else every readable one."""
        if self.filter.agency:
            return {self.filter.agency.pk: self.filter.agency.name}
        return dict(self.agencies.order_by("name").values_list("pk", "name"))

    def flags(self, slug: str, agency_ids) -> tuple[list, datetime]:
        """The flags of ``slug`` of these agencies, and when the city's were read."""
        kept = summaries.flags_city(kind=slug, f=self.filter)
        return summaries.narrowed(kept.rows, agency_ids), kept.read_at

    def rows(self, slug: str, flags: list, agencies: dict[int, str]) -> list[dict]:
        """``flags`` as table rows with the names of their agency, seller and requester.

        One query for the sellers' names and, for pairs, one for the requesters'. A year-end
        spike's rows are its purchases, one a row.
        """
        seller_ids = {flag.seller_id for flag in flags if hasattr(flag, "seller_id")}
        sellers = (
            dict(Partner.objects.filter(pk__in=seller_ids).values_list("pk", "name")) if seller_ids else {}
        )
        people = {}
        if slug == "pasangan" and flags:
            found = User.objects.filter(pk__in={flag.requester_id for flag in flags})
            people = {user.pk: user.get_full_name() or user.get_username() for user in found}
        rows = []
        for flag in flags:
            row = {"flag": flag, "agency": agencies.get(flag.agency_id, "")}
            if hasattr(flag, "seller_id"):
                row["seller"] = sellers.get(flag.seller_id, "")
            if hasattr(flag, "requisition_id"):
                row["requisition_id"] = flag.requisition_id
            if slug == "pecah":
                row["count"] = len(flag.purchases)
            elif slug == "harga":
                row["ratio"] = _ratio(flag.unit_price, flag.median)
            elif slug == "pasangan":
                row.update(
                    requester=people.get(flag.requester_id, ""),
                    count=flag.count,
                    ratio=_ratio(flag.count, flag.agency_median),
                )
            elif slug == "ambang":
                row["gap"] = flag.band - flag.amount
            elif slug == "bayar-dulu":
                received = flag.last_received_on
                row["days"] = (received - flag.paid_on).days if received else None
            if slug == "akhir-tahun":
                rows += [{**row, "purchase": p, "requisition_id": p.requisition_id} for p in flag.purchases]
            else:
                rows.append(row)
        return rows


class RedFlagsView(ListTablesMixin, RedFlagsMixin, TemplateView):
    """Every kind counted at the top; the chosen kind's flags and purchases, sortable and paged."""

    template_name = "reports/red_flags.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.kind()
        context.update(
            kind=kind,
            thresholds=red_flags.flag_settings(),
            value_bands=sorted(settings.PEKEN_VALUE_BANDS),
        )
        if self.filter is None:
            return context
        agencies = self.readable()
        flags, read_at = self.flags(kind.slug, agencies)
        rows = self.rows(kind.slug, flags, agencies)
        table = self.list_table(
            rows, keys={name: SORT_KEYS[name] for name in kind.sorts}, default=kind.default_sort
        )
        tab_query = self.query(without=("sort", "halaman", "jenis"))
        context.update(
            counts=[
                (
                    k,
                    len(flags)
                    if k == kind
                    else summaries.flag_counts(kind=k.slug, f=self.filter, agency_ids=agencies),
                )
                for k in KINDS
            ],
            tab_prefix=f"?{tab_query}&jenis=" if tab_query else "?jenis=",
            spikes=[{"flag": f, "agency": agencies.get(f.agency_id, "")} for f in flags]
            if kind.slug == "akhir-tahun"
            else [],
            page=table.page,
            sort=table.sort,
            sorts=table.sorts,
            table=table,
            read_at=read_at,
        )
        return context


class RedFlagsExportView(RedFlagsMixin, ExportMixin, View):
    """The chosen kind (?jenis=) one purchase a row, each with the address of its trail."""

    @property
    def name(self) -> str:
        return f"tanda-bahaya-{self.kind().slug}"

    @property
    def kinds(self) -> tuple[str, ...]:
        return EXPORT_KINDS[self.kind().slug]

    @property
    def title(self) -> str:
        return f"{_('Tanda bahaya')}: {self.kind().label}"

    def table(self):
        kind = self.kind()
        agencies = self.readable()
        rows = self.rows(kind.slug, self.flags(kind.slug, agencies)[0], agencies)
        _sort, rows = rows_sorted(rows, sort="", keys=SORT_KEYS, default=kind.default_sort)
        return getattr(self, f"_table_{kind.slug.replace('-', '_')}")(rows)

    def trail(self, reference: str) -> str:
        """The full address of the requisition's audit trail, on the site's own domain (a worker
        building a large export has no request to ask); the prefix built once for many rows."""
        if not hasattr(self, "_trail"):
            marker = "RQ-MARKER"
            path = reverse("procurement:audit-detail", args=[marker])
            site = f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}"
            self._trail = (site + path).split(marker)
        before, after = self._trail
        # quoted as reverse() quotes a path argument
        return f"{before}{quote(reference, safe=RFC3986_SUBDELIMS + '~:@')}{after}"

    def _table_pecah(self, rows):
        header = [
            _("Tanda ke"),
            _("OPD"),
            _("Penjual"),
            _("Batas nilai"),
            _("Jumlah bersama"),
            _("Nomor permintaan"),
            _("Jejak audit"),
        ]
        lines = [
            [
                n,
                row["agency"],
                row["seller"],
                row["flag"].band,
                row["flag"].total,
                p.reference,
                self.trail(p.reference),
            ]
            for n, row in enumerate(rows, start=1)
            for p in row["flag"].purchases
        ]
        return header, lines

    def _table_harga(self, rows):
        header = [
            _("Nomor permintaan"),
            _("OPD"),
            _("Penjual"),
            _("Barang"),
            _("Harga satuan"),
            _("Median kota"),
            _("Kelipatan median"),
            _("Jejak audit"),
        ]
        lines = [
            [
                row["flag"].reference,
                row["agency"],
                row["seller"],
                row["flag"].title,
                row["flag"].unit_price,
                row["flag"].median,
                row["ratio"],
                self.trail(row["flag"].reference),
            ]
            for row in rows
        ]
        return header, lines

    def _table_pasangan(self, rows):
        header = [
            _("Tanda ke"),
            _("OPD"),
            _("Pemohon"),
            _("Penjual"),
            _("Jumlah pembelian"),
            _("Median pasangan OPD"),
            _("Kelipatan median"),
            _("Nomor permintaan"),
            _("Jejak audit"),
        ]
        lines = [
            [
                n,
                row["agency"],
                row["requester"],
                row["seller"],
                row["count"],
                row["flag"].agency_median,
                row["ratio"],
                p.reference,
                self.trail(p.reference),
            ]
            for n, row in enumerate(rows, start=1)
            for p in row["flag"].purchases
        ]
        return header, lines

    def _table_ambang(self, rows):
        header = [
            _("Nomor permintaan"),
            _("OPD"),
            _("Penjual"),
            _("Nilai"),
            _("Batas nilai"),
            _("Selisih"),
            _("Jejak audit"),
        ]
        lines = [
            [
                row["flag"].reference,
                row["agency"],
                row["seller"],
                row["flag"].amount,
                row["flag"].band,
                row["gap"],
                self.trail(row["flag"].reference),
            ]
            for row in rows
        ]
        return header, lines

    def _table_akhir_tahun(self, rows):
        header = [
            _("OPD"),
            _("Pembelian setahun"),
            _("Pembelian di minggu terakhir"),
            _("Rata-rata per minggu"),
            _("Per minggu di akhir tahun"),
            _("Nomor permintaan"),
            _("Disetujui"),
            _("Jejak audit"),
        ]
        lines = [
            [
                row["agency"],
                row["flag"].year_count,
                row["flag"].last_weeks_count,
                row["flag"].weekly_average.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
                row["flag"].last_weeks_weekly.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
                row["purchase"].reference,
                row["purchase"].decided_on,
                self.trail(row["purchase"].reference),
            ]
            for row in rows
        ]
        return header, lines

    def _table_bayar_dulu(self, rows):
        header = [
            _("Nomor permintaan"),
            _("OPD"),
            _("Penjual"),
            _("Nomor pesanan"),
            _("Dibayar"),
            _("BAST terakhir"),
            _("Hari sebelum BAST"),
            _("Jejak audit"),
        ]
        lines = [
            [
                row["flag"].reference,
                row["agency"],
                row["seller"],
                row["flag"].order_number,
                row["flag"].paid_on,
                row["flag"].last_received_on,
                row["days"],
                self.trail(row["flag"].reference),
            ]
            for row in rows
        ]
        return header, lines
