"""The reports people read about their own money: an agency's payments and taxes, a shop's sales.

- Payments and taxes (/laporan/pembayaran-pajak/): the agency's treasurer, PA/KPA and admin for
  their agency, staff and the city's auditors for all (reports.access.PAYMENTS).
- Sales (/laporan/penjualan/): the people of a shop, for their own shop only (reports.access.SALES);
  staff and auditors do not get it (they read sellers in the city's reports), and someone with
  several shops picks one in the filter bar, as in the seller centre.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from procurement.selectors import audit_scope
from procurement.selectors_fulfilment import seller_tax_facts
from procurement.selectors_spj import Period
from procurement.selectors_treasury import treasury_access
from procurement.statuses import PaymentMethod
from procurement.tax import TaxKind
from procurement.views_spj import reconciliation_url
from reports import payments, sales
from reports.access import PAYMENTS, SALES
from reports.charts import month_bars
from reports.forms import MONTHS
from reports.tables import TableRows
from reports.views import ExportMixin, ReportMixin, month_short

# lazy labels: translated when shown, in the reader's language
TAX_LABELS = [(tax, TaxKind(tax).label) for tax in payments.TAXES]


class PaymentsView(ReportMixin, TemplateView):
    """The period's paid payments with each tax withheld, the totals per kind and each month's deposits."""

    template_name = "reports/payments.html"
    scope = PAYMENTS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filter is None:
            return context
        f, user = self.filter, self.request.user
        sort, rows = payments.payment_rows(agencies=self.agencies, f=f, sort=self.request.GET.get("sort", ""))
        page = self.page(rows)
        # the payment page and the trail open only for those procurement lets read them
        treasury, audit = treasury_access(user=user), audit_scope(user=user)
        taxes = payments.payment_taxes(payments=page)
        for payment in page:
            agency_id, withheld = payment.requisition.agency_id, taxes.get(payment.pk, {})
            payment.taxes = [(label, withheld.get(tax, Decimal(0))) for tax, label in TAX_LABELS]
            payment.payment_link = treasury.may_read(agency_id)
            payment.trail_link = audit is None or agency_id in audit
        months = payments.tax_months(agencies=self.agencies, f=f, today=timezone.localdate())
        agency = f.agency or self._only_agency()
        context.update(
            page=page,
            sort=sort,
            sorts=self.sort_links(sort, payments.PAYMENT_SORTS),
            totals=payments.payment_totals(agencies=self.agencies, f=f),
            tax_labels=TAX_LABELS,
            tax_totals=payments.tax_totals(months),
            tax_months=[self._month_links(row, agency, treasury) for row in months],
            agency=agency,
            month_label=dict(MONTHS).get(f.month, ""),
        )
        return context

    def _only_agency(self):
        # someone who reads one agency (its treasurer) gets its deposit and reconciliation links
        agencies = list(self.agencies.order_by("pk")[:2])
        return agencies[0] if len(agencies) == 1 else None

    def _month_links(self, row, agency, treasury) -> dict:
        links = {"row": row, "deposits": "", "reconciliation": ""}
        if agency is not None and treasury.may_read(agency.pk):
            links["deposits"] = reverse(
                "procurement:tax-deposits", kwargs={"code": agency.code, "year": row.year, "month": row.month}
            )
            links["reconciliation"] = reconciliation_url(agency, Period(row.year, row.month))
        return links


class PaymentsExportView(ExportMixin, View):
    """Every payment of the report with each tax withheld: the page's rows, unpaginated."""

    name = "pembayaran-pajak"
    scope = PAYMENTS

    def table(self):
        header = [
            _("Tanggal bayar"),
            _("OPD"),
            _("Nomor pesanan"),
            _("Nomor permintaan"),
            _("Penjual"),
            _("Cara bayar"),
            _("Total tagihan (bruto)"),
            *[str(label) for _tax, label in TAX_LABELS],
            _("Dipotong/dipungut"),
            _("Dibayar ke penjual (neto)"),
        ]
        methods = dict(PaymentMethod.choices)
        method = payments.EXPORT_FIELDS.index("method")
        # counted before they are read: a city's year (70,000 payments) is built by a worker
        rows = TableRows(
            payments.payment_table(agencies=self.agencies, f=self.filter),
            row=lambda row: (*row[:method], str(methods.get(row[method], row[method])), *row[method + 1 :]),
        )
        return header, rows


class SalesView(ReportMixin, TemplateView):
    """A shop's sales per month of the year, personal and official apart, and per product category."""

    template_name = "reports/sales.html"
    scope = SALES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filter is None:
            return context
        seller, year = self.filter.seller, self.filter.year
        months = sales.sales_months(seller=seller, year=year)
        summary = reverse("procurement:seller-withholdings")
        names = month_short()
        context.update(
            seller=seller,
            months=months,
            year_row=sales.sales_year(seller=seller, year=year),
            categories=sales.sales_categories(seller=seller, year=year),
            chart=month_bars([(names[n], row.value) for n, row in enumerate(months, start=1)]),
            # why taxes are withheld on its official orders: its registration as the tax engine reads it
            tax_facts=seller_tax_facts(seller=seller, on=timezone.localdate()),
            withholdings_url=f"{summary}?{urlencode({'tahun': year, 'toko': seller.pk})}",
        )
        return context


class SalesExportView(ExportMixin, View):
    """The shop's year: one row per month, the year, then one row per product category."""

    name = "penjualan"
    scope = SALES

    def table(self):
        seller, year = self.filter.seller, self.filter.year
        header = [
            _("Baris"),
            _("Bulan atau kategori"),
            _("Pesanan pribadi"),
            _("Nilai pesanan pribadi"),
            _("Pesanan resmi"),
            _("Nilai pesanan resmi"),
            _("Dibayar OPD (bruto)"),
            _("Pajak dipotong/dipungut"),
            _("Diterima (neto)"),
        ]

        def row(kind: str, r: sales.SalesRow, paid: bool = True) -> list:
            money = [r.paid_gross, r.withheld, r.net] if paid else [None, None, None]
            return [
                kind,
                r.label,
                r.personal_orders,
                r.personal_value,
                r.official_orders,
                r.official_value,
                *money,
            ]

        rows = [row(_("Bulan"), r) for r in sales.sales_months(seller=seller, year=year)]
        rows.append(row(_("Setahun"), sales.sales_year(seller=seller, year=year)))
        rows += [row(_("Kategori"), r, paid=False) for r in sales.sales_categories(seller=seller, year=year)]
        return header, rows
