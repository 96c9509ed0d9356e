"""Auditor pages (/pengadaan/audit/): every requisition's full history, and the whole trail, read-only.

Access (tests/test_procurement_access.py walks it):
- an auditor (city-wide role) reads every agency's requisitions, and the whole
  trail (budget lines, roles, delegations, policies too) at /pengadaan/audit/jejak/;
- a PA/KPA or agency admin reads their own agency's: the PA/KPA answers for the
  budget and the admin for the people acting on it, so both must be able to see
  who did what; other agencies' requisitions are 404 to them;
- anyone else signed in gets 403, anonymous visitors the sign-in page.
The pages have no forms and take no POST: nobody changes anything here.
"""

import json

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from procurement import selectors
from procurement.audit import audit_entries_check
from procurement.models import Agency, Requisition
from procurement.statuses import Decision, RequisitionStatus, Role

Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")

PAGE_SIZE = 25
ACTIONS = {
    "requisition.submit": _("Permintaan diajukan"),
    "requisition.revise": _("Permintaan direvisi"),
    "requisition.resubmit": _("Permintaan diajukan ulang"),
    "requisition.decide.setuju": _("Disetujui"),
    "requisition.decide.tolak": _("Ditolak"),
    "requisition.decide.kembalikan": _("Dikembalikan untuk revisi"),
    "requisition.cancel": _("Permintaan dibatalkan"),
    "requisition.expire": _("Kedaluwarsa, anggaran dilepas"),
    "budget.release": _("Anggaran dilepas"),
    "budget.release.order": _("Anggaran dilepas: pesanan penjual batal"),
    "order.status": _("Status pesanan penjual berubah"),
    "agency.create": _("OPD dibuat"),
    "approval_policy.default": _("Kebijakan persetujuan bawaan dipasang"),
    "budget_line.create": _("Baris anggaran dibuat"),
    "budget_line.update": _("Baris anggaran diubah"),
    "budget_lines.import": _("Anggaran diimpor dari CSV"),
    "delegation.create": _("Delegasi dibuat"),
    "delegation.revoke": _("Delegasi dicabut"),
    "membership.grant": _("Peran diberikan"),
    "membership.revoke": _("Peran dicabut"),
    "membership.unit": _("Unit pemegang peran diubah"),
    "unit.create": _("Unit dibuat"),
}
OBJECT_LABELS = {
    "procurement.requisition": _("Permintaan"),
    "procurement.budgetline": _("Baris anggaran"),
    "procurement.budgetcommitment": _("Komitmen anggaran"),
    "procurement.membership": _("Peran"),
    "procurement.delegation": _("Delegasi"),
    "procurement.agency": _("OPD"),
    "procurement.approvalstep": _("Langkah persetujuan"),
    "procurement.unit": _("Unit"),
    "order.order": _("Pesanan"),
}
TRAIL_PAGE_SIZE = 50
# fields whose values are rupiah, shown as Rp150.000
MONEY_FIELDS = frozenset({"total", "amount", "ceiling", "committed", "realised", "available", "unit_price",
                          "released", "min_amount", "max_amount"})
FIELD_LABELS = {
    "status": _("Status"), "total": _("Total"), "amount": _("Jumlah"), "comment": _("Komentar"),
    "decision": _("Keputusan"), "step": _("Langkah"), "role": _("Peran"), "round": _("Putaran"),
    "orders": _("Pesanan penjual"), "lines": _("Barang"), "reason": _("Alasan"),
    "budget_line": _("Baris anggaran"), "released": _("Dilepas"), "committed": _("Terikat"),
    "steps": _("Langkah persetujuan"), "position": _("Urutan"), "min_amount": _("Di atas"),
    "max_amount": _("Sampai dengan"), "agency": _("OPD"), "delegate": _("Penerima delegasi"),
    "delegator": _("Pemberi delegasi"), "user": _("Orang"), "unit": _("Unit"), "party": _("Pihak"),
}


def audit_scope_or_403(request) -> frozenset[int] | None:
    scope = selectors.audit_scope(user=request.user)
    if scope is not None and not scope:
        raise PermissionDenied(_("Halaman ini untuk auditor, PA/KPA, dan admin OPD."))
    return scope


class AuditAccessMixin(LoginRequiredMixin):
    """Lets in the people ``selectors.audit_scope`` names and keeps their scope in ``self.scope``."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = audit_scope_or_403(request)
        return super().dispatch(request, *args, **kwargs)


class AuditListView(AuditAccessMixin, TemplateView):
    """Requisitions of all agencies in scope, filtered by agency, status and number; 25 a page."""

    template_name = "procurement/audit/list.html"

    def get_context_data(self, **kwargs):
        agencies = Agency.objects.order_by("name")
        if self.scope is not None:
            agencies = agencies.filter(pk__in=self.scope)
        agencies = list(agencies)
        params = self.request.GET
        wanted = params.get("opd", "")
        agency_id = int(wanted) if wanted.isdigit() and int(wanted) in {a.pk for a in agencies} else None
        status = params.get("status", "")
        status = status if status in RequisitionStatus.values else ""
        reference = params.get("nomor", "").strip()[:32]
        requisitions = selectors.audit_requisitions(agency_ids=self.scope, agency_id=agency_id, status=status,
                                                    reference=reference)
        page = Paginator(requisitions, PAGE_SIZE).get_page(params.get("halaman"))
        query = params.copy()
        query.pop("halaman", None)
        return super().get_context_data(
            agencies=agencies, statuses=RequisitionStatus.choices, agency_id=agency_id, status=status,
            reference=reference, page=page, requisitions=page.object_list, query=query.urlencode(),
            citywide=self.scope is None, **kwargs)


class AuditDetailView(AuditAccessMixin, TemplateView):
    """One requisition's full history: every audit entry, its lines, decisions, orders and chain check."""

    template_name = "procurement/audit/detail.html"

    def get_requisition(self) -> Requisition:
        requisition = (Requisition.objects.select_related("agency", "unit", "requester", "budget_line")
                       .filter(reference=self.kwargs["reference"]).first())
        if requisition is None or (self.scope is not None and requisition.agency_id not in self.scope):
            raise Http404
        return requisition

    def get_context_data(self, **kwargs):
        requisition = self.get_requisition()
        entries = selectors.requisition_trail(requisition=requisition)
        broken = {entry.seq for entry in audit_entries_check(entries)}
        annotate_entries(entries, broken)
        orders, order_changes = [], []
        if requisition.checkout_reference:
            orders = list(Order.objects.filter(checkout_reference=requisition.checkout_reference, user=None)
                          .select_related("seller").order_by("number"))
            order_changes = list(OrderStatusChange.objects.filter(order__in=orders)
                                 .select_related("order", "actor").order_by("date_created", "pk"))
        return super().get_context_data(
            requisition=requisition, entries=entries, broken=sorted(broken),
            lines=list(requisition.lines.select_related("seller").order_by("seller__name", "pk")),
            decisions=list(requisition.decisions.select_related("actor", "acting_for")
                           .order_by("round", "position", "pk")),
            orders=orders, order_changes=order_changes,
            warnings=selectors.split_purchase_warnings(requisition=requisition), **kwargs)


class AuditTrailView(AuditAccessMixin, TemplateView):
    """The whole trail, newest first, 50 a page, by kind of object, action and person (auditors only)."""

    template_name = "procurement/audit/trail.html"

    def get(self, request, *args, **kwargs):
        if self.scope is not None:
            # the trail holds every agency's roles and budgets; agency people read their requisitions only
            raise PermissionDenied(_("Jejak audit lengkap hanya untuk auditor."))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET
        kind = params.get("jenis", "") if params.get("jenis", "") in OBJECT_LABELS else ""
        action = params.get("aksi", "") if params.get("aksi", "") in ACTIONS else ""
        person = params.get("orang", "").strip()[:100]
        entries = selectors.audit_entries(object_type=kind, action=action, person=person)
        page = Paginator(entries, TRAIL_PAGE_SIZE).get_page(params.get("halaman"))
        rows = list(page.object_list)
        annotate_entries(rows, {entry.seq for entry in audit_entries_check(rows)})
        query = params.copy()
        query.pop("halaman", None)
        return super().get_context_data(
            page=page, entries=rows, kinds=[(k, str(v)) for k, v in OBJECT_LABELS.items()],
            actions=sorted(((k, str(v)) for k, v in ACTIONS.items()), key=lambda item: item[1]),
            kind=kind, action=action, person=person, query=query.urlencode(), **kwargs)


def annotate_entries(entries, broken: set[int]) -> None:
    """Give each entry what the pages show: label, object name, readable changes, whether it fits.

    People, agencies and other objects named by id in the values are read in one
    query per kind of object, whatever the number of entries.
    """
    names = _related_names(entries)
    for entry in entries:
        entry.label = ACTIONS.get(entry.action, entry.action)
        entry.object_label = OBJECT_LABELS.get(entry.object_type, entry.object_type)
        entry.changes = readable_changes(entry, names)
        entry.broken = entry.seq in broken


def readable_changes(entry, names: dict | None = None) -> list[dict]:
    """The entry's before and after values as rows: label, before, after, and whether it changed."""
    before, after = entry.before or {}, entry.after or {}
    model, names = _model(entry.object_type), names or {}
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        rows.append({"label": _label(model, key),
                     "before": _shown(model, key, old, names) if key in before else "",
                     "after": _shown(model, key, new, names) if key in after else "",
                     "changed": key not in before or key not in after or old != new})
    return rows


def _foreign_key(model, key: str):
    field = _field(model, key)
    return field if field is not None and field.many_to_one else None


def _related_names(entries) -> dict[tuple, str]:
    wanted: dict = {}
    for entry in entries:
        model = _model(entry.object_type)
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                field = _foreign_key(model, key)
                if field is not None and isinstance(value, int):
                    wanted.setdefault(field.related_model, set()).add(value)
    names = {}
    for related, ids in wanted.items():
        for pk, obj in related._default_manager.in_bulk(ids).items():
            full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
            names[(related, pk)] = full_name or getattr(obj, "email", "") or str(obj)
    return names


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _label(model, key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key.replace("_", " ")


def _shown(model, key: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    field = _foreign_key(model, key)
    if field is not None and isinstance(value, int):
        return names.get((field.related_model, value), f"#{value}")
    if key in MONEY_FIELDS:
        try:
            return currency(value, "IDR")
        except (TypeError, ValueError, ArithmeticError):
            return str(value)
    for name, choices in (("status", RequisitionStatus), ("role", Role), ("decision", Decision)):
        if key == name and isinstance(value, str) and value in choices.values:
            return str(choices(value).label)
    field = _field(model, key)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return "; ".join(_compact(item, names) for item in value) or "—"
    if isinstance(value, dict):
        return _compact(value, names)
    return str(value)


def _compact(value, names: dict) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_label(None, k)}: {_shown(None, k, v, names)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit-list"),
    # before the requisition pattern, which would take "jejak" for a number
    path("audit/jejak/", AuditTrailView.as_view(), name="audit-trail"),
    path("audit/<str:reference>/", AuditDetailView.as_view(), name="audit-detail"),
]
