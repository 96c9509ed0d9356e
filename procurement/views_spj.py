"""The treasurer's month (/pengadaan/opd/<code>/rekonsiliasi/ and /spj/): reconciliation, Coretax, SPJ.

Access (tests/test_procurement_access.py walks it): the agency's treasurer, PA/KPA and agency
admin, and auditors for every agency (selectors_spj.spj_agencies). Anyone else signed in gets a
404 for an agency's pages (they do not learn what it paid), anonymous visitors the sign-in page.
Whoever reads the month may download its Coretax file and ask for its SPJ bundle; bundles are
looked up within their agency.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from peken.exports import export_response
from procurement import selectors, selectors_spj
from procurement.models import Agency, SpjBundle
from procurement.selectors_spj import Period
from procurement.services import ProcurementError
from procurement.services import spj as spj_services
from procurement.statuses import BundleStatus, Role
from procurement.views_buying import client_ip

ZIP_TYPE = "application/zip"


def reconciliation_url(agency: Agency, period: Period) -> str:
    url = reverse("procurement:spj-reconciliation", kwargs={"code": agency.code})
    return f"{url}?{urlencode({'bulan': period.key})}"


class SpjHomeView(LoginRequiredMixin, View):
    """The picker's target: on to the chosen (or the first readable) agency's month."""

    http_method_names = ["get", "head", "options"]

    def get(self, request):
        agencies = selectors_spj.spj_agencies(user=request.user)
        agency = agencies.filter(code=request.GET.get("opd", "")).first() or agencies.first()
        if agency is None:
            raise PermissionDenied(_("Halaman ini untuk bendahara, PA/KPA, admin OPD, dan auditor."))
        return redirect(reconciliation_url(agency, Period.parse(request.GET.get("bulan"))))


class SpjAccessMixin(LoginRequiredMixin):
    """Resolves ``self.agency`` from the URL; a 404 for anyone who may not read its money month."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agency = get_object_or_404(Agency, code=kwargs["code"])
        if not selectors_spj.spj_readable(user=request.user, agency=self.agency):
            raise Http404
        self.period = Period.parse(request.GET.get("bulan") or request.POST.get("bulan"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        roles = selectors.agency_roles_of(user=self.request.user, agency=self.agency)
        return {
            **super().get_context_data(**kwargs),
            "agency": self.agency,
            "period": self.period,
            # the agency admin's menu, for the people it is for (not a city-wide auditor)
            "show_agency_nav": bool(roles & selectors.BUDGET_READERS),
            "can_manage": Role.AGENCY_ADMIN in roles,
            "agencies": list(selectors_spj.spj_agencies(user=self.request.user)),
        }


class ReconciliationView(SpjAccessMixin, TemplateView):
    """An agency's month: every BAST, payment, withholding and deposit, and what does not match."""

    template_name = "procurement/spj/reconciliation.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            rec=selectors_spj.reconciliation(agency=self.agency, period=self.period, today=today),
            period_ended=self.period.ended(today=today),
            unpaid_days=settings.PEKEN_UNPAID_AFTER_RECEIPT_DAYS,
            bundles=list(selectors_spj.agency_bundles(agency=self.agency)[:5]),
            **kwargs,
        )


class CoretaxView(SpjAccessMixin, View):
    """The month's PPh 22, PPh 23 and PP 55 withholdings as XLSX rows for DJP's BPPU converter."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code: str):
        return export_response(
            fmt="xlsx",
            name=f"coretax-bppu-{self.agency.code}-{self.period.key}",
            header=selectors_spj.CORETAX_HEADER,
            rows=selectors_spj.coretax_rows(agency=self.agency, period=self.period),
            title="BPPU",
        )


class BundlesView(SpjAccessMixin, TemplateView):
    """The agency's SPJ bundles; POST asks for one: ``bulan`` (a month) or ``permintaan`` (a requisition)."""

    template_name = "procurement/spj/bundles.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            bundles=list(selectors_spj.agency_bundles(agency=self.agency)[:50]), **kwargs
        )

    def post(self, request, code: str):
        reference = request.POST.get("permintaan", "").strip()[:32]
        requisition = None
        if reference:
            requisition = selectors_spj.requisition_of_agency(agency=self.agency, reference=reference)
            if requisition is None:
                messages.error(request, _("Permintaan %(ref)s belum punya pembayaran.") % {"ref": reference})
                return redirect(reconciliation_url(self.agency, self.period))
        try:
            bundle = spj_services.spj_bundle_request(
                agency=self.agency,
                actor=request.user,
                requisition=requisition,
                period=None if requisition else self.period,
                ip=client_ip(request),
            )
        except ProcurementError as error:
            messages.error(request, str(error))
            return redirect(reconciliation_url(self.agency, self.period))
        return redirect("procurement:spj-bundle", code=self.agency.code, pk=bundle.pk)


class BundleMixin(SpjAccessMixin):
    def get_bundle(self) -> SpjBundle:
        return get_object_or_404(
            SpjBundle.objects.select_related("requisition", "requested_by").defer("content"),
            pk=self.kwargs["pk"],
            agency=self.agency,
        )


def bundle_progress(bundle: SpjBundle) -> dict:
    """What the page's progress bar reads (the keys of static/peken/import-progress.js)."""
    finished = bundle.status in (BundleStatus.DONE, BundleStatus.FAILED)
    done = min(bundle.done, bundle.total)
    return {
        "status": bundle.status,
        "status_label": bundle.get_status_display(),
        "rows_done": done,
        "rows_total": bundle.total,
        "percent": 100 * done // bundle.total if bundle.total else (100 if finished else 0),
        "finished": finished,
    }


class BundleView(BundleMixin, TemplateView):
    """One bundle: its progress while a worker builds it, then its download link (or why it failed)."""

    template_name = "procurement/spj/bundle.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        bundle = self.get_bundle()
        return super().get_context_data(bundle=bundle, progress=bundle_progress(bundle), **kwargs)


class BundleStatusView(BundleMixin, View):
    """The progress bar's JSON."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code: str, pk: int):
        return JsonResponse(bundle_progress(self.get_bundle()))


class BundleDownloadView(BundleMixin, View):
    """The finished bundle's ZIP."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code: str, pk: int):
        bundle = get_object_or_404(SpjBundle, pk=pk, agency=self.agency, status=BundleStatus.DONE)
        response = HttpResponse(bytes(bundle.content or b""), content_type=ZIP_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, bundle.file_name or "spj.zip")
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns = [
    path("rekonsiliasi/", SpjHomeView.as_view(), name="spj-home"),
    path("opd/<slug:code>/rekonsiliasi/", ReconciliationView.as_view(), name="spj-reconciliation"),
    path("opd/<slug:code>/rekonsiliasi/coretax.xlsx", CoretaxView.as_view(), name="spj-coretax"),
    path("opd/<slug:code>/spj/", BundlesView.as_view(), name="spj-bundles"),
    path("opd/<slug:code>/spj/<int:pk>/", BundleView.as_view(), name="spj-bundle"),
    path("opd/<slug:code>/spj/<int:pk>/status/", BundleStatusView.as_view(), name="spj-bundle-status"),
    path("opd/<slug:code>/spj/<int:pk>/unduh/", BundleDownloadView.as_view(), name="spj-bundle-download"),
]
