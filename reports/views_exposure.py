"""Seller exposure: whom official money and residents' own shopping reach, and how concentrated it is.

Who sees what. Official spend (sellers reached by both channels, the top sellers, each agency's
concentration and the agencies' together) counts only the agencies the reader may read
(report_agencies: a PA/KPA or agency admin their own). Three parts are the city's as a whole and
shown to every report reader, because they name no agency and no person: sellers at or near the
official cap (the cap is one rule over every agency's purchases, and the catalogue already stops
offering a capped seller to every agency; official purchases per seller are open data anyway),
kecamatan whose sellers got no order, and residents' own shopping per kecamatan, category and
month, never per person (the first two kept a while by reports/summaries.py). The filter bar's
period and agency apply; unit, kecamatan and scale are not offered here.
"""

from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from reports import exposure, summaries
from reports.charts import level_bars, nice_top
from reports.forms import MONTHS
from reports.list_tables import ListTablesMixin
from reports.tables import DECIMAL, NUMBER, PERCENT, RUPIAH, TEXT
from reports.views import ExportMixin, ReportMixin

FILTER_FIELDS = ("tahun", "bulan", "opd")
HHI_TOP = Decimal(10000)
AGENCY_SORTS = {
    "name": lambda row: row["agency"].name.casefold(),
    "hhi": lambda row: row["hhi"],
    "total": lambda row: row["total"],
    "sellers": lambda row: row["sellers"],
}
CAP_SORTS = {
    "name": lambda row: row.name.casefold(),
    "received": lambda row: row.received,
}
PERSONAL_SORTS = {
    "month": lambda row: row.month,
    "kecamatan": lambda row: row.kecamatan.casefold(),
    "category": lambda row: row.category.casefold(),
    "orders": lambda row: row.orders,
    "amount": lambda row: row.amount,
}
# the sections of the page, each exported on its own (?bagian=), and their files' names
SECTIONS = {
    "opd": "konsentrasi-per-opd",
    "teratas": "penjual-teratas",
    "batas": "mendekati-batas",
    "kecamatan": "kecamatan-tanpa-pesanan",
    "warga": "belanja-warga",
}
# each section's heading, the export's title after the report's name
SECTION_TITLES = {
    "opd": gettext_lazy("Konsentrasi belanja per OPD"),
    "teratas": gettext_lazy("10 penjual teratas"),
    "batas": gettext_lazy("Penjual pada atau mendekati batas belanja resmi"),
    "kecamatan": gettext_lazy("Kecamatan dengan penjual tetapi tanpa pesanan"),
    "warga": gettext_lazy("Belanja warga per kecamatan, kategori, dan bulan"),
}
# how the PDF writes each section's columns (an index and a share are Decimals, not rupiah)
SECTION_KINDS = {
    "opd": (TEXT, DECIMAL, RUPIAH, NUMBER),
    "teratas": (NUMBER, TEXT, RUPIAH, PERCENT),
    "batas": (TEXT, RUPIAH, RUPIAH, TEXT),
    "kecamatan": (TEXT, NUMBER),
    "warga": (TEXT, TEXT, TEXT, NUMBER, RUPIAH),
}


class ExposureMixin(ReportMixin):
    """The period and the agencies the figures of official spend cover."""

    filter_fields = FILTER_FIELDS

    def readable(self) -> list:
        """The agencies in the report, by name: the one chosen, else every one the reader may read."""
        if self.filter.agency:
            return [self.filter.agency]
        return list(self.agencies.order_by("name").only("pk", "name", "code"))

    def period(self) -> dict:
        start, end = self.filter.bounds()
        return {"start": start, "end": end}

    def agency_rows(self, agencies: list, concentration: exposure.Concentration) -> list[dict]:
        return [
            {
                "agency": agency,
                "hhi": concentration.agencies.get(agency.pk),
                "total": concentration.agency_totals.get(agency.pk, Decimal(0)),
                "sellers": concentration.agency_sellers.get(agency.pk, 0),
            }
            for agency in agencies
        ]


def _hhi_label(value) -> str:
    return "-" if value is None else number_format(value, 0, force_grouping=True)


class ExposureView(ListTablesMixin, ExposureMixin, TemplateView):
    """Sellers reached, the top sellers' share, concentration per agency, the cap, idle kecamatan."""

    template_name = "reports/exposure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            near_percent=exposure.near_cap_percent(),
            cap=settings.PEKEN_OFFICIAL_SELLER_CAP,
            cap_days=settings.PEKEN_OFFICIAL_SELLER_CAP_DAYS,
        )
        if self.filter is None:
            return context
        agencies = self.readable()
        ids = [agency.pk for agency in agencies]
        period = self.period()
        top = exposure.top_sellers_share(**period, agency_ids=ids)
        concentration = exposure.herfindahl(**period, agency_ids=ids)
        table = self.list_table(self.agency_rows(agencies, concentration), keys=AGENCY_SORTS, default="-hhi")
        personal = summaries.personal_spend_city(**period)
        near_cap = summaries.sellers_near_cap_city()
        context.update(
            period_label=_period_label(self.filter),
            dual=exposure.dual_channel_sellers_count(**period, agency_ids=ids),
            active=exposure.active_sellers_count(),
            top=top,
            top_chart=level_bars(
                [(s.name, s.share_percent, f"{number_format(s.share_percent, 2)}%") for s in top.sellers],
                top=min(nice_top(max((s.share_percent for s in top.sellers), default=0)), Decimal(100)),
            ),
            concentration=concentration,
            agencies_table=table,
            page=table.page,
            sort=table.sort,
            sorts=table.sorts,
            hhi_chart=level_bars(
                [(row["agency"].name, row["hhi"], _hhi_label(row["hhi"])) for row in table.page],
                top=HHI_TOP,
            ),
            cap_table=self.list_table(
                near_cap.rows,
                keys=CAP_SORTS,
                default="-received",
                sort_param="urut_batas",
                page_param="halaman_batas",
            ),
            idle=exposure.idle_kecamatan(**period),
            personal_table=self.list_table(
                personal.rows,
                keys=PERSONAL_SORTS,
                default="month",
                sort_param="urut_warga",
                page_param="halaman_warga",
            ),
            personal_total=sum((row.amount for row in personal.rows), Decimal(0)),
            personal_read_at=personal.read_at,
            cap_read_at=near_cap.read_at,
            section_query={name: self._section_query(name) for name in SECTIONS},
        )
        return context

    def _section_query(self, name: str) -> str:
        base = self.query(without=("halaman", "halaman_batas", "halaman_warga", "bagian"))
        return f"{base}&bagian={name}" if base else f"bagian={name}"


def _period_label(f) -> str:
    if f.month:
        return f"{dict(MONTHS)[f.month]} {f.year}"
    return str(f.year)


class ExposureExportView(ExposureMixin, ExportMixin, View):
    """One section of the exposure report (?bagian=, default the concentration per agency)."""

    @property
    def section(self) -> str:
        section = self.request.GET.get("bagian") or "opd"
        if section not in SECTIONS:
            raise Http404(_("Bagian laporan tidak dikenal."))
        return section

    @property
    def name(self) -> str:
        return f"paparan-penjual-{SECTIONS[self.section]}"

    @property
    def kinds(self) -> tuple[str, ...]:
        return SECTION_KINDS[self.section]

    @property
    def title(self) -> str:
        return f"{_('Paparan penjual')}: {SECTION_TITLES[self.section]}"

    def table(self):
        return getattr(self, f"_table_{self.section}")()

    def _table_opd(self):
        agencies = self.readable()
        concentration = exposure.herfindahl(**self.period(), agency_ids=[a.pk for a in agencies])
        header = [
            _("OPD"),
            _("Indeks Herfindahl-Hirschman"),
            _("Belanja dibayar (bruto)"),
            _("Penjual dibayar"),
        ]
        rows = [
            [row["agency"].name, row["hhi"], row["total"], row["sellers"]]
            for row in self.agency_rows(agencies, concentration)
        ]
        rows.append(
            [_("Semua OPD di atas"), concentration.city, concentration.city_total, concentration.city_sellers]
        )
        return header, rows

    def _table_teratas(self):
        agencies = self.readable()
        top = exposure.top_sellers_share(**self.period(), agency_ids=[a.pk for a in agencies])
        header = [_("Peringkat"), _("Penjual"), _("Belanja dibayar (bruto)"), _("Porsi (%)")]
        rows = [[n, s.name, s.amount, s.share_percent] for n, s in enumerate(top.sellers, start=1)]
        rows.append(["", _("10 penjual teratas"), top.top_total, top.share_percent])
        rows.append(["", _("Seluruh belanja"), top.total, Decimal(100) if top.total else Decimal(0)])
        return header, rows

    def _table_batas(self):
        header = [_("Penjual"), _("Pembelian resmi disetujui"), _("Batas"), _("Mencapai batas")]
        rows = [
            [s.name, s.received, s.cap, _("ya") if s.at_cap else ""]
            for s in summaries.sellers_near_cap_city().rows
        ]
        return header, rows

    def _table_kecamatan(self):
        header = [_("Kecamatan"), _("Penjual aktif")]
        return header, [[k.kecamatan, k.active_sellers] for k in exposure.idle_kecamatan(**self.period())]

    def _table_warga(self):
        header = [
            _("Bulan"),
            _("Kecamatan penjual"),
            _("Kategori"),
            _("Pesanan"),
            _("Belanja (termasuk pajak)"),
        ]
        rows = [
            [row.month, row.kecamatan, row.category, row.orders, row.amount]
            for row in summaries.personal_spend_city(**self.period()).rows
        ]
        return header, rows
