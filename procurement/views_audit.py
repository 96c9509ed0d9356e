"""Auditor pages (/pengadaan/audit/): every requisition's full history, and the whole trail, read-only.

Access (tests/test_procurement_access.py walks it):
- an auditor (city-wide role) reads every agency's requisitions, and the whole
  trail (budget lines, roles, delegations, policies too) at /pengadaan/audit/jejak/;
- a PA/KPA or agency admin reads their own agency's: the PA/KPA answers for the
  budget and the admin for the people acting on it, so both must be able to see
  who did what; other agencies' requisitions are 404 to them;
- anyone else signed in gets 403, anonymous visitors the sign-in page.
The pages have no forms and take no POST: nobody changes anything here. A
requisition's history and the filtered trail download as CSV or XLSX under the
same rules and filters as their pages.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, register_converter, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from peken.exports import FORMATS, export_response
from procurement import selectors
from procurement.audit import audit_entries_check
from procurement.audit_display import annotate_entries, export_header, export_row
from procurement.audit_labels import ACTIONS, OBJECT_LABELS
from procurement.models import Agency, Requisition
from procurement.statuses import RequisitionStatus

Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")

PAGE_SIZE = 25
TRAIL_PAGE_SIZE = 50
# a download is built while the auditor waits: past this, the filters must narrow it first
EXPORT_MAX_ENTRIES = 20_000
EXPORT_CHUNK = 1000


def audit_scope_or_403(request) -> frozenset[int] | None:
    scope = selectors.audit_scope(user=request.user)
    if scope is not None and not scope:
        raise PermissionDenied(_("Halaman ini untuk auditor, PA/KPA, dan admin OPD."))
    return scope


class AuditAccessMixin(LoginRequiredMixin):
    """Lets in the people ``selectors.audit_scope`` names and keeps their scope in ``self.scope``."""

    http_method_names = ["get", "head", "options"]
    auditors_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = audit_scope_or_403(request)
        if self.auditors_only and self.scope is not None:
            # the trail holds every agency's roles and budgets; agency people read their requisitions only
            raise PermissionDenied(_("Jejak audit lengkap hanya untuk auditor."))
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
        requisitions = selectors.audit_requisitions(
            agency_ids=self.scope, agency_id=agency_id, status=status, reference=reference
        )
        page = Paginator(requisitions, PAGE_SIZE).get_page(params.get("halaman"))
        query = params.copy()
        query.pop("halaman", None)
        return super().get_context_data(
            agencies=agencies,
            statuses=RequisitionStatus.choices,
            agency_id=agency_id,
            status=status,
            reference=reference,
            page=page,
            requisitions=page.object_list,
            query=query.urlencode(),
            citywide=self.scope is None,
            **kwargs,
        )


def requisition_in_scope(reference: str, scope: frozenset[int] | None) -> Requisition:
    """The requisition numbered ``reference`` if ``scope`` covers its agency; 404 otherwise."""
    requisition = (
        Requisition.objects.select_related("agency", "unit", "requester", "budget_line")
        .filter(reference=reference)
        .first()
    )
    if requisition is None or (scope is not None and requisition.agency_id not in scope):
        raise Http404
    return requisition


class AuditDetailView(AuditAccessMixin, TemplateView):
    """One requisition's full history: every audit entry, its lines, decisions, orders and chain check."""

    template_name = "procurement/audit/detail.html"

    def get_context_data(self, **kwargs):
        requisition = requisition_in_scope(self.kwargs["reference"], self.scope)
        entries = selectors.requisition_trail(requisition=requisition)
        broken = {entry.seq for entry in audit_entries_check(entries)}
        annotate_entries(entries, broken)
        orders, order_changes = [], []
        if requisition.checkout_reference:
            orders = list(
                Order.objects.filter(checkout_reference=requisition.checkout_reference, user=None)
                .select_related("seller")
                .order_by("number")
            )
            order_changes = list(
                OrderStatusChange.objects.filter(order__in=orders)
                .select_related("order", "actor")
                .order_by("date_created", "pk")
            )
        return super().get_context_data(
            requisition=requisition,
            entries=entries,
            broken=sorted(broken),
            current_step=selectors.requisition_current_step(requisition=requisition),
            lines=list(requisition.lines.select_related("seller").order_by("seller__name", "pk")),
            decisions=list(
                requisition.decisions.select_related("actor", "acting_for").order_by(
                    "round", "position", "pk"
                )
            ),
            orders=orders,
            order_changes=order_changes,
            warnings=selectors.split_purchase_warnings(requisition=requisition),
            **kwargs,
        )


class AuditDetailExportView(AuditAccessMixin, View):
    """One requisition's history as CSV or XLSX: whoever may read the page may download it."""

    def get(self, request, reference: str, fmt: str):
        requisition = requisition_in_scope(reference, self.scope)
        entries = selectors.requisition_trail(requisition=requisition)
        annotate_entries(entries, {entry.seq for entry in audit_entries_check(entries)})
        return export_response(
            fmt=fmt,
            name=f"riwayat-{requisition.reference}",
            header=export_header(),
            rows=[export_row(entry) for entry in entries],
            title=requisition.reference,
        )


def trail_filters(params) -> dict:
    """The trail's filters from a query string, unknown values dropped: kind of object, action, person."""
    kind = params.get("jenis", "")
    action = params.get("aksi", "")
    return {
        "object_type": kind if kind in OBJECT_LABELS else "",
        "action": action if action in ACTIONS else "",
        "person": params.get("orang", "").strip()[:100],
    }


class AuditTrailView(AuditAccessMixin, TemplateView):
    """The whole trail, newest first, 50 a page, by kind of object, action and person (auditors only)."""

    template_name = "procurement/audit/trail.html"
    auditors_only = True

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filters = trail_filters(params)
        entries = selectors.audit_entries(**filters)
        page = Paginator(entries, TRAIL_PAGE_SIZE).get_page(params.get("halaman"))
        rows = list(page.object_list)
        annotate_entries(rows, {entry.seq for entry in audit_entries_check(rows)})
        query = params.copy()
        query.pop("halaman", None)
        return super().get_context_data(
            page=page,
            entries=rows,
            kinds=[(k, str(v)) for k, v in OBJECT_LABELS.items()],
            actions=sorted(((k, str(v)) for k, v in ACTIONS.items()), key=lambda item: item[1]),
            kind=filters["object_type"],
            action=filters["action"],
            person=filters["person"],
            query=query.urlencode(),
            **kwargs,
        )


class AuditTrailExportView(AuditAccessMixin, View):
    """The trail as its page filters it, every page of it, oldest first, as CSV or XLSX (auditors only)."""

    auditors_only = True

    def get(self, request, fmt: str):
        entries = selectors.audit_entries(**trail_filters(request.GET)).order_by("seq")
        count = entries.count()
        if count > EXPORT_MAX_ENTRIES:
            messages.error(
                request,
                _(
                    "Terlalu banyak entri untuk diunduh sekaligus (%(count)s, paling "
                    "banyak %(max)s). Persempit dengan jenis data, tindakan, atau orang."
                )
                % {"count": count, "max": EXPORT_MAX_ENTRIES},
            )
            query = request.GET.urlencode()
            return redirect(reverse("procurement:audit-trail") + (f"?{query}" if query else ""))
        rows = []
        for start in range(0, count, EXPORT_CHUNK):
            # names and the chain check cost a few queries per chunk, not per entry
            chunk = list(entries[start : start + EXPORT_CHUNK])
            annotate_entries(chunk, {entry.seq for entry in audit_entries_check(chunk)})
            rows.extend(export_row(entry) for entry in chunk)
        return export_response(
            fmt=fmt,
            name=f"jejak-audit-{timezone.localdate():%Y%m%d}",
            header=export_header(),
            rows=rows,
            title=str(_("Jejak audit")),
        )


class ExportFormatConverter:
    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export_format")

urlpatterns = [
    path("audit/", AuditListView.as_view(), name="audit-list"),
    # before the requisition pattern, which would take "jejak" for a number
    path("audit/jejak/", AuditTrailView.as_view(), name="audit-trail"),
    path("audit/jejak/unduh.<export_format:fmt>", AuditTrailExportView.as_view(), name="audit-trail-export"),
    path("audit/<str:reference>/", AuditDetailView.as_view(), name="audit-detail"),
    path(
        "audit/<str:reference>/unduh.<export_format:fmt>",
        AuditDetailExportView.as_view(),
        name="audit-detail-export",
    ),
]
