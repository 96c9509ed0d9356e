"""The treasurer's pages: orders waiting to be paid, paying one order, and the month's tax deposits.

Access, view by view (tests/test_procurement_access.py walks them all):
- "Pembayaran" (the list): a treasurer (Bendahara Pengeluaran) of an agency, or a person who
  reads an agency's payments: its PA/KPA and admin, and the city's auditors (others 403);
- an order's payment page and its card (KKPD) endpoint, an agency's tax deposits: the
  agency's treasurer records; its PA/KPA, admin and auditors read the pages (POST is 404 to
  them); anyone else gets 404. The purchase's own requester, even when a treasurer, is
  refused by the service with the names of who can pay.
Anonymous visitors are sent to sign in.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from payments import services as card_services
from payments.exceptions import CARD_ERROR_DEFAULT, CARD_ERROR_MESSAGES, PaymentGatewayError
from peken.money import rupiah_format
from procurement import selectors_fulfilment as fulfilment
from procurement import selectors_treasury
from procurement.forms_treasury import PaymentRecordForm, TaxDepositForm
from procurement.models import Agency
from procurement.services import ProcurementError
from procurement.services.treasury import (
    PaymentAlreadyRecorded,
    PaymentRefused,
    official_payment_card_cancel,
    official_payment_card_confirm,
    official_payment_card_start,
    official_payment_record,
    tax_deposit_record,
)
from procurement.statuses import DocumentKind, OfficialPaymentStatus, PaymentMethod
from procurement.tax import TaxKind
from procurement.views_buying import client_ip

Order = get_model("order", "Order")
YEARS = (2000, 2100)  # the tax periods a deposit page may be asked for


class TreasuryMixin(LoginRequiredMixin):
    """Reads the person's treasury access into ``self.access`` (anonymous: to sign in), then ``allow``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = selectors_treasury.treasury_access(user=request.user)
        self.allow(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def allow(self, request, **kwargs) -> None:
        """Raise Http404 or PermissionDenied when the person may not open this page."""


class PaymentListView(TreasuryMixin, TemplateView):
    """Pembayaran: complete official orders waiting to be paid, recent payments, the tax deposit pages."""

    template_name = "procurement/treasury/list.html"

    def allow(self, request, **kwargs) -> None:
        if not self.access.any:
            raise PermissionDenied(
                _("Halaman ini untuk bendahara pengeluaran, PA/KPA, admin OPD, dan auditor.")
            )

    def get_context_data(self, **kwargs):
        user, access = self.request.user, self.access
        to_pay = list(fulfilment.orders_to_pay(user=user)) if access.pays else []
        readable = access.agency_ids()
        waiting = []
        if readable is None or readable - access.pays:
            # what waits in the agencies the person reads but does not pay for
            others = None if readable is None else readable - access.pays
            mine = {order.pk for order in to_pay}
            waiting = [
                order
                for order in selectors_treasury.orders_awaiting_payment(agency_ids=others)
                if order.pk not in mine
            ]
        agencies = Agency.objects.order_by("name")
        if readable is not None:
            agencies = agencies.filter(pk__in=readable)
        today = timezone.localdate()
        return super().get_context_data(
            to_pay=to_pay,
            waiting=waiting,
            payments=selectors_treasury.payments_recent(agency_ids=readable),
            agencies=list(agencies),
            pays=bool(access.pays),
            year=today.year,
            month=today.month,
            **kwargs,
        )


def official_order_or_404(number: str, access) -> tuple:
    """The official order numbered ``number`` and its requisition, if ``access`` reads its agency."""
    found = selectors_treasury.official_order_readable(number=number, access=access)
    if found is None:
        raise Http404
    return found


def card_context() -> dict:
    """What static/peken/card-payment.js reads from the page (as the checkout's card step gives it)."""
    return {
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "js_url": settings.STRIPE_JS_URL,
        "test_mode": bool(settings.STRIPE_API_BASE),
        "messages": {code: str(text) for code, text in CARD_ERROR_MESSAGES.items()}
        | {"default": str(CARD_ERROR_DEFAULT)},
        "paid_statuses": [str(status) for status in card_services.PAID_INTENT_STATUSES],
    }


class OrderPaymentView(TreasuryMixin, TemplateView):
    """One official order's payment: what was accepted, its taxes today, and the treasurer's form."""

    template_name = "procurement/treasury/payment.html"

    def allow(self, request, **kwargs) -> None:
        self.order, self.requisition = official_order_or_404(kwargs["number"], self.access)
        if request.method == "POST" and not self.access.may_pay(self.requisition.agency_id):
            raise Http404

    def get_context_data(self, form=None, **kwargs):
        order, requisition, user = self.order, self.requisition, self.request.user
        progress = fulfilment.order_progress(order=order)
        complete = order.status == OrderStatus.RECEIVED and fulfilment.order_receipt_complete(progress)
        payment = fulfilment.order_payment(order=order)
        paid = payment is not None and payment.status == OfficialPaymentStatus.PAID
        pending_card = (
            payment is not None
            and payment.status == OfficialPaymentStatus.PENDING
            and payment.method == PaymentMethod.KKPD
        )
        refusal = fulfilment.pay_refusal(user=user, requisition=requisition)
        may_pay = not refusal and not paid and complete and self.access.may_pay(requisition.agency_id)
        quote = None
        # a waiting card payment keeps the amounts it began with; its card shows those
        if not paid and not pending_card and any(p.accepted for p in progress):
            quote = fulfilment.order_tax_quote(order=order, on=timezone.localdate(), progress=progress)
        lines = [
            {"progress": p, "title": p.line.title, "amount": p.unit_price * p.accepted} for p in progress
        ]
        return super().get_context_data(
            order=order,
            requisition=requisition,
            lines=lines,
            complete=complete,
            payment=payment,
            paid=paid,
            pending_card=pending_card,
            refusal=refusal,
            may_pay=may_pay,
            form=form if form is not None else PaymentRecordForm(),
            quote=quote,
            contract_document=DocumentKind(quote.contract_document).label if quote else "",
            withholdings=[
                {"label": TaxKind(w.tax).label, "w": w} for w in (quote.withholdings if quote else ())
            ],
            meterai=settings.PEKEN_METERAI,
            direct_purchase_limit=settings.PEKEN_VALUE_BANDS[-1],
            card_payment=card_context() if may_pay and (payment is None or pending_card) else None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = PaymentRecordForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            payment = official_payment_record(
                order=self.order,
                actor=request.user,
                method=data["method"],
                paid_on=data["paid_on"],
                bank_reference=data["bank_reference"],
                sp2d_number=data["sp2d_number"],
                sp2d_date=data["sp2d_date"],
                ip=client_ip(request),
            )
        except ProcurementError as error:  # PaymentRefused, or BudgetExceeded when realising
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        paid_message(request, payment)
        return redirect("procurement:payment", number=self.order.number)


def paid_message(request, payment) -> None:
    messages.success(
        request,
        _(
            "Pembayaran pesanan %(number)s tercatat: %(net)s dibayar ke penjual, "
            "pajak dipotong/dipungut %(withheld)s."
        )
        % {
            "number": payment.order.number,
            "net": rupiah_format(payment.net),
            "withheld": rupiah_format(payment.withheld),
        },
    )


class OrderCardPaymentView(LoginRequiredMixin, View):
    """The KKPD card of an order's payment (POST): ``action`` card_intent answers Stripe.js's JSON,
    card_cancel gives up a waiting card payment, anything else (card_confirm) settles it once paid."""

    http_method_names = ["post"]

    def post(self, request, number):
        access = selectors_treasury.treasury_access(user=request.user)
        order, requisition = official_order_or_404(number, access)
        if not access.may_pay(requisition.agency_id):
            raise Http404
        action = request.POST.get("action", "")
        if action == "card_intent":
            return self.intent(request, order)
        payment = fulfilment.order_payment(order=order)
        back = redirect("procurement:payment", number=order.number)
        if payment is None or payment.method != PaymentMethod.KKPD:
            messages.error(request, _("Belum ada pembayaran KKPD untuk pesanan ini."))
            return back
        try:
            if action == "card_cancel":
                official_payment_card_cancel(payment=payment, actor=request.user, ip=client_ip(request))
                messages.info(
                    request, _("Pembayaran KKPD dibatalkan; pesanan dapat dibayar dengan cara lain.")
                )
                return back
            if payment.status != OfficialPaymentStatus.PAID:
                payment = official_payment_card_confirm(payment=payment, actor=request.user)
        except ProcurementError as error:
            messages.error(request, str(error))
            return back
        paid_message(request, payment)
        return back

    def intent(self, request, order):
        """JSON for Stripe.js: the client secret of the KKPD payment's intent for the net to the seller."""
        try:
            payment = official_payment_card_start(order=order, actor=request.user, ip=client_ip(request))
        except PaymentAlreadyRecorded as error:
            return JsonResponse({"error": str(error)}, status=409)
        except (ProcurementError, card_services.PaymentNotCompleted) as error:
            return JsonResponse({"error": str(error)}, status=400)
        except PaymentGatewayError as error:
            return JsonResponse({"error": error.message}, status=502)
        return JsonResponse(
            {
                "client_secret": payment.intent.client_secret,
                "status": payment.intent.status,
                "amount": rupiah_format(payment.net),
            }
        )


class TaxDepositView(TreasuryMixin, TemplateView):
    """An agency's month of withheld and collected taxes: what is still to deposit, and the deposits."""

    template_name = "procurement/treasury/deposits.html"

    def allow(self, request, **kwargs) -> None:
        self.agency = get_object_or_404(Agency, code=kwargs["code"])
        self.year, self.month = kwargs["year"], kwargs["month"]
        if not self.access.may_read(self.agency.pk) or not (YEARS[0] <= self.year <= YEARS[1]):
            raise Http404
        if not 1 <= self.month <= 12:
            raise Http404
        if request.method == "POST" and not self.access.may_pay(self.agency.pk):
            raise Http404

    def get_context_data(self, bound=None, **kwargs):
        kinds = selectors_treasury.tax_month(agency=self.agency, year=self.year, month=self.month)
        for kind in kinds:
            form = (
                bound if bound is not None and bound.prefix == kind.tax else TaxDepositForm(prefix=kind.tax)
            )
            ticked = form.ticked()
            kind.form = form
            kind.rows = [{"w": w, "ticked": ticked is None or w.pk in ticked} for w in kind.open]
        previous = date(self.year - 1, 12, 1) if self.month == 1 else date(self.year, self.month - 1, 1)
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return super().get_context_data(
            agency=self.agency,
            period=date(self.year, self.month, 1),
            previous=previous if previous.year >= YEARS[0] else None,
            following=following if following <= timezone.localdate() else None,
            kinds=kinds,
            may_deposit=self.access.may_pay(self.agency.pk),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        tax = request.POST.get("tax", "")
        if tax not in TaxKind.values:
            raise Http404
        form = TaxDepositForm(request.POST, prefix=tax)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound=form))
        data = form.cleaned_data
        try:
            deposit = tax_deposit_record(
                agency=self.agency,
                actor=request.user,
                tax=tax,
                period_year=self.year,
                period_month=self.month,
                billing_code=data["billing_code"],
                ntpn=data["ntpn"],
                deposited_on=data["deposited_on"],
                withholding_ids=data["withholdings"],
                ip=client_ip(request),
            )
        except PaymentRefused as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(bound=form))
        messages.success(
            request,
            _("Setoran %(tax)s %(amount)s tercatat dengan NTPN %(ntpn)s.")
            % {"tax": TaxKind(tax).label, "amount": rupiah_format(deposit.amount), "ntpn": deposit.ntpn},
        )
        return redirect("procurement:tax-deposits", code=self.agency.code, year=self.year, month=self.month)


urlpatterns = [
    path("pembayaran/", PaymentListView.as_view(), name="payments"),
    path("pembayaran/<str:number>/", OrderPaymentView.as_view(), name="payment"),
    path("pembayaran/<str:number>/kartu/", OrderCardPaymentView.as_view(), name="payment-card"),
    path("setoran-pajak/<str:code>/<int:year>/<int:month>/", TaxDepositView.as_view(), name="tax-deposits"),
]
