"""Official buying pages: the mode switch, submitting a basket as a requisition and the
requester's requisitions (the approver's pages: procurement/views_approvals.py).

Access, view by view (tests/test_procurement_access.py walks them all):
- mode switch and "Ajukan permintaan": a requester of the agency chosen in the session;
- "Permintaan saya", revise (in the form or back in the basket), cancel: the requester of
  the requisition only (others 404);
- a requisition's detail: its requester, or an approver (or active delegate) of its agency;
Anonymous visitors are sent to sign in.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from oscar.core.loading import get_model

from procurement import selectors, services
from procurement import selectors_fulfilment as fulfilment
from procurement.context_processors import MODE_SESSION_KEY, official_agency_of
from procurement.forms import (
    CancelForm,
    RequisitionReviseForm,
    RequisitionSubmitForm,
)
from procurement.models import Agency, Requisition
from procurement.statuses import RequisitionStatus, Role

Order = get_model("order", "Order")
# the returned requisition whose lines the requester took back into the official basket
REVISION_SESSION_KEY = "procurement_revision"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def requisition_for_requester(request, reference) -> Requisition:
    requisition = selectors.requisition_of_requester(user=request.user, reference=reference)
    if requisition is None:
        raise Http404
    return requisition


def requisition_for_approver(request, reference) -> Requisition:
    requisition = selectors.requisition_of_approver(user=request.user, reference=reference)
    if requisition is None:
        raise Http404
    return requisition


def seller_parts(lines) -> list[dict]:
    """Lines grouped per seller with each seller's subtotal, in the order given."""
    parts: dict[int, dict] = {}
    for line in lines:
        part = parts.setdefault(line["seller"].pk, {"seller": line["seller"], "lines": [], "total": 0})
        part["lines"].append(line)
        part["total"] += line["total"]
    return list(parts.values())


class ModeSwitchView(LoginRequiredMixin, View):
    """Switch between personal and official buying (POST; the choice is kept in the session)."""

    http_method_names = ["post"]

    def post(self, request):
        next_url = request.POST.get("next") or reverse("basket:summary")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = reverse("home")
        agency = request.POST.get("agency", "")
        if not agency:
            request.session.pop(MODE_SESSION_KEY, None)
            messages.info(request, _("Anda sekarang berbelanja pribadi, dibayar dengan uang Anda sendiri."))
            return HttpResponseRedirect(next_url)
        requester_of = selectors.requester_agencies(user=request.user)
        try:
            agency_id = int(agency)
        except ValueError:
            agency_id = None
        if agency_id not in requester_of:
            raise PermissionDenied(_("Anda bukan pemohon di OPD ini."))
        request.session[MODE_SESSION_KEY] = agency_id
        messages.info(
            request,
            _(
                "Anda sekarang berbelanja dinas untuk %(agency)s. Keranjang diajukan "
                "sebagai permintaan pengadaan."
            )
            % {"agency": requester_of[agency_id]},
        )
        return HttpResponseRedirect(next_url)


class OfficialModeRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        official = official_agency_of(request)
        if official is None:
            messages.warning(
                request,
                _("Pilih “Belanja dinas” di bagian atas halaman untuk mengajukan permintaan pengadaan."),
            )
            return redirect("basket:summary")
        self.agency = get_object_or_404(Agency, pk=official[0])
        return super().dispatch(request, *args, **kwargs)


class RequisitionSubmitView(OfficialModeRequiredMixin, FormView):
    """Ajukan permintaan: the official basket, split per seller, with its budget and details."""

    template_name = "procurement/buying/submit.html"
    form_class = RequisitionSubmitForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agency": self.agency}

    @cached_property
    def revising(self) -> Requisition | None:
        """The returned requisition this basket revises (its lines were taken back into it), if any."""
        reference = self.request.session.get(REVISION_SESSION_KEY)
        if not reference:
            return None
        return Requisition.objects.filter(
            reference=reference,
            requester=self.request.user,
            agency=self.agency,
            status=RequisitionStatus.RETURNED,
        ).first()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.revising is not None:
            form.fields.pop("unit", None)  # a revision keeps the requisition's unit
        return form

    def get_initial(self):
        if self.revising is not None:
            r = self.revising
            return {
                "budget_line": r.budget_line_id,
                "kode_rup": r.kode_rup,
                "purpose": r.purpose,
                "delivery_address": r.delivery_address,
                "needed_by": r.needed_by,
                "contact_name": r.contact_name,
                "contact_phone": r.contact_phone,
            }
        user = self.request.user
        return {"delivery_address": self.agency.address, "contact_name": user.get_full_name() or user.email}

    def basket_parts(self):
        lines = []
        for line in self.request.basket.all_lines():
            price = line.unit_price_incl_tax
            if price is None:
                price = line.unit_price_excl_tax
            lines.append(
                {
                    "seller": line.stockrecord.partner,
                    "title": line.product.get_title(),
                    "product": line.product,
                    "quantity": line.quantity,
                    "unit_price": price,
                    "total": (price or 0) * line.quantity,
                }
            )
        parts = seller_parts(lines)
        capped = selectors.sellers_at_cap(seller_ids=[part["seller"].pk for part in parts])
        for part in parts:
            part["at_cap"] = part["seller"].pk in capped
        return parts

    def get_context_data(self, **kwargs):
        parts = self.basket_parts()
        last_return = None
        if self.revising is not None:
            last_return = (
                self.revising.decisions.select_related("actor")
                .filter(round=self.revising.round)
                .order_by("-pk")
                .first()
            )
        return super().get_context_data(
            agency=self.agency,
            parts=parts,
            total=sum(p["total"] for p in parts),
            any_at_cap=any(p["at_cap"] for p in parts),
            cap_message=selectors.seller_cap_message(),
            revising=self.revising,
            last_return=last_return,
            **kwargs,
        )

    def form_valid(self, form):
        if self.request.basket.is_empty:
            form.add_error(None, _("Keranjang dinas Anda kosong."))
            return self.form_invalid(form)
        data = form.cleaned_data
        if self.revising is not None:
            return self.resubmit(form)
        try:
            requisition = services.requisition_submit_from_basket(
                user=self.request.user,
                agency=self.agency,
                basket=self.request.basket,
                budget_line=data["budget_line"],
                kode_rup=data["kode_rup"],
                purpose=data["purpose"],
                delivery_address=data["delivery_address"],
                needed_by=data["needed_by"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                unit=data.get("unit"),
                ip=client_ip(self.request),
            )
        except services.ProcurementError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Permintaan %(reference)s diajukan dan menunggu persetujuan.")
            % {"reference": requisition.reference},
        )
        return redirect("procurement:detail", reference=requisition.reference)

    def resubmit(self, form):
        """The basket replaces the returned requisition's lines; it goes back for approval, same number."""
        data = form.cleaned_data
        try:
            requisition = services.requisition_resubmit_from_basket(
                requisition=self.revising,
                user=self.request.user,
                basket=self.request.basket,
                budget_line=data["budget_line"],
                kode_rup=data["kode_rup"],
                purpose=data["purpose"],
                delivery_address=data["delivery_address"],
                needed_by=data["needed_by"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                ip=client_ip(self.request),
            )
        except services.ProcurementError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        self.request.session.pop(REVISION_SESSION_KEY, None)
        messages.success(
            self.request,
            _("Permintaan %(reference)s direvisi dan diajukan ulang.") % {"reference": requisition.reference},
        )
        return redirect("procurement:detail", reference=requisition.reference)


class RequisitionBasketReopenView(LoginRequiredMixin, View):
    """Take a returned requisition's lines back into the official basket to change them there (POST).

    With ``stop`` the basket no longer revises it (it is submitted as a new
    requisition instead); the requisition itself stays returned.
    """

    http_method_names = ["post"]

    def post(self, request, reference):
        requisition = requisition_for_requester(request, reference)
        if request.POST.get("stop"):
            request.session.pop(REVISION_SESSION_KEY, None)
            messages.info(
                request, _("Keranjang dinas tidak lagi merevisi %(reference)s.") % {"reference": reference}
            )
            return redirect("procurement:detail", reference=reference)
        try:
            missing = services.requisition_basket_reopen(
                requisition=requisition, user=request.user, basket=request.basket, ip=client_ip(request)
            )
        except services.ProcurementError as error:
            messages.error(request, str(error))
            return redirect("procurement:detail", reference=reference)
        request.session[MODE_SESSION_KEY] = requisition.agency_id
        request.session[REVISION_SESSION_KEY] = requisition.reference
        messages.success(
            request,
            _(
                "Barang %(reference)s ada di keranjang dinas. Tambah, hapus atau ganti "
                "barang, lalu ajukan ulang dengan nomor yang sama."
            )
            % {"reference": reference},
        )
        if missing:
            messages.warning(
                request,
                _("Tidak dijual lagi, jadi tidak dimasukkan: %(titles)s.") % {"titles": ", ".join(missing)},
            )
        return redirect("basket:summary")


def waiting_label(requisition) -> str:
    """The step (and role) a submitted requisition waits at, from the selectors' annotations."""
    if requisition.status != RequisitionStatus.SUBMITTED or not getattr(requisition, "current_role", None):
        return ""
    return _("Langkah %(position)s: %(role)s") % {
        "position": requisition.current_position,
        "role": Role(requisition.current_role).label,
    }


class MyRequisitionsView(LoginRequiredMixin, TemplateView):
    """Permintaan saya: the person's own requisitions and where each one stands."""

    template_name = "procurement/buying/mine.html"

    def get_context_data(self, **kwargs):
        requisitions = list(selectors.requester_requisitions(user=self.request.user))
        for requisition in requisitions:
            requisition.waiting_at = waiting_label(requisition)
        return super().get_context_data(requisitions=requisitions, **kwargs)


class RequisitionDetailView(LoginRequiredMixin, TemplateView):
    """One requisition: its lines per seller, decisions, warnings, and the seller orders once approved."""

    template_name = "procurement/buying/detail.html"

    def get_requisition(self):
        reference = self.kwargs["reference"]
        requisition = (
            Requisition.objects.select_related("agency", "budget_line", "unit", "requester")
            .filter(reference=reference)
            .first()
        )
        if requisition is None:
            raise Http404
        if not selectors.requisition_readable(user=self.request.user, requisition=requisition):
            raise Http404
        return requisition

    def get_context_data(self, **kwargs):
        requisition = self.get_requisition()
        return super().get_context_data(**requisition_context(requisition, self.request.user), **kwargs)


@dataclass(frozen=True)
class OrderFulfilment:
    """What arrived of one seller order of a requisition, as its detail page shows it."""

    receipts: int
    accepted_amount: Decimal
    closed_short: bool
    payment: object
    may_record: bool


def orders_fulfilment(orders, *, requisition, user) -> None:
    """Attach ``order.fulfilment`` to each official order of ``requisition`` (a few queries per seller)."""
    if not orders:
        return
    may_record = not fulfilment.receive_refusal(user=user, requisition=requisition)
    for order in orders:
        progress = fulfilment.order_progress(order=order)
        order.fulfilment = OrderFulfilment(
            receipts=order.goods_receipts.count(),
            accepted_amount=fulfilment.order_accepted_amount(progress),
            closed_short=any(p.closed_short for p in progress),
            payment=fulfilment.order_payment(order=order),
            may_record=may_record and order.status in fulfilment.RECEIVABLE,
        )


def requisition_context(requisition, user) -> dict:
    """What the detail and decision pages show of one requisition."""
    lines = [
        {
            "seller": line.seller,
            "title": line.title,
            "product": line.product,
            "sku": line.partner_sku,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "total": line.line_total,
        }
        for line in requisition.lines.select_related("seller", "product")
    ]
    decisions = list(
        requisition.decisions.select_related("actor", "acting_for").order_by("round", "position", "pk")
    )
    orders = []
    if requisition.checkout_reference:
        orders = list(
            Order.objects.filter(checkout_reference=requisition.checkout_reference)
            .select_related("seller")
            .order_by("number")
        )
        orders_fulfilment(orders, requisition=requisition, user=user)
    current_step, mine = None, requisition.requester_id == user.pk
    if requisition.status == RequisitionStatus.SUBMITTED:
        current_step = selectors.requisition_current_step(requisition=requisition)
    return {
        "requisition": requisition,
        "parts": seller_parts(lines),
        "decisions": decisions,
        "orders": orders,
        "steps": selectors.requisition_steps(requisition=requisition),
        "current_step": current_step,
        "warnings": selectors.split_purchase_warnings(requisition=requisition),
        "is_requester": mine,
        "can_revise": mine and requisition.status == RequisitionStatus.RETURNED,
        "can_cancel": mine
        and requisition.status
        in (RequisitionStatus.SUBMITTED, RequisitionStatus.RETURNED, RequisitionStatus.DRAFT),
        "cancel_form": CancelForm(),
    }


class RequisitionReviseView(LoginRequiredMixin, FormView):
    """Revise a returned requisition (quantities, details) and submit it again."""

    template_name = "procurement/buying/revise.html"
    form_class = RequisitionReviseForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.requisition = requisition_for_requester(request, kwargs["reference"])
        if self.requisition.status != RequisitionStatus.RETURNED:
            messages.warning(request, _("Hanya permintaan yang dikembalikan untuk revisi yang bisa diubah."))
            return redirect("procurement:detail", reference=self.requisition.reference)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "requisition": self.requisition}

    def get_initial(self):
        r = self.requisition
        return {
            "budget_line": r.budget_line_id,
            "kode_rup": r.kode_rup,
            "purpose": r.purpose,
            "delivery_address": r.delivery_address,
            "needed_by": r.needed_by,
            "contact_name": r.contact_name,
            "contact_phone": r.contact_phone,
        }

    def get_context_data(self, **kwargs):
        last_return = (
            self.requisition.decisions.select_related("actor")
            .filter(round=self.requisition.round)
            .order_by("-pk")
            .first()
        )
        return super().get_context_data(requisition=self.requisition, last_return=last_return, **kwargs)

    def form_valid(self, form):
        data, ip = form.cleaned_data, client_ip(self.request)
        try:
            services.requisition_revise(
                requisition=self.requisition,
                user=self.request.user,
                purpose=data["purpose"],
                kode_rup=data["kode_rup"],
                delivery_address=data["delivery_address"],
                needed_by=data["needed_by"],
                budget_line=data["budget_line"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                quantities=form.quantities(),
                ip=ip,
            )
            services.requisition_resubmit(requisition=self.requisition, user=self.request.user, ip=ip)
        except services.ProcurementError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Permintaan %(reference)s direvisi dan diajukan ulang.")
            % {"reference": self.requisition.reference},
        )
        return redirect("procurement:detail", reference=self.requisition.reference)


class RequisitionCancelView(LoginRequiredMixin, View):
    """The requester withdraws a requisition that is not decided yet (POST, with a reason)."""

    http_method_names = ["post"]

    def post(self, request, reference):
        requisition = requisition_for_requester(request, reference)
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tuliskan alasan pembatalan."))
            return redirect("procurement:detail", reference=reference)
        try:
            services.requisition_cancel(
                requisition=requisition,
                user=request.user,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except services.ProcurementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Permintaan %(reference)s dibatalkan.") % {"reference": reference})
        return redirect("procurement:detail", reference=reference)


urlpatterns = [
    path("mode/", ModeSwitchView.as_view(), name="mode"),
    path("ajukan/", RequisitionSubmitView.as_view(), name="submit"),
    path("permintaan/", MyRequisitionsView.as_view(), name="mine"),
    path("permintaan/<str:reference>/", RequisitionDetailView.as_view(), name="detail"),
    path("permintaan/<str:reference>/revisi/", RequisitionReviseView.as_view(), name="revise"),
    path("permintaan/<str:reference>/batal/", RequisitionCancelView.as_view(), name="cancel"),
    path(
        "permintaan/<str:reference>/keranjang/", RequisitionBasketReopenView.as_view(), name="revise-basket"
    ),
]
