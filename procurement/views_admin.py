"""The agency admin's pages (/pengadaan/opd/): people and their roles, budget lines, the approval policy.

The rule is one and simple: every page under /pengadaan/opd/<code>/ is for
people holding the agency admin role ("admin_opd") of that agency; anyone
else signed in gets 403, anonymous visitors the login page. Objects (roles,
budget lines) are looked up within the agency, so another agency's are 404.
These pages show official data only: a member's personal orders never appear.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from peken.csv_upload import errors_shown
from peken.imports import import_job_context, import_job_progress, import_jobs_of
from peken.models import ImportJob, ImportKind
from procurement import budget_csv, selectors, services
from procurement.forms_admin import BudgetImportForm, BudgetLineForm, MembershipGrantForm, UnitForm
from procurement.models import Agency
from procurement.statuses import Role
from procurement.views_buying import client_ip


def budget_url(agency: Agency, year: int) -> str:
    return f"{reverse('procurement:opd-budget', kwargs={'code': agency.code})}?tahun={year}"


class AgencyAdminMixin(LoginRequiredMixin):
    """Resolves ``self.agency`` from the URL and lets in only that agency's people in ``reader_roles``.

    Pages that change anything keep the default (agency admins only); the
    budget and policy pages are also read by the PA/KPA and the treasurer.
    """

    reader_roles = frozenset({Role.AGENCY_ADMIN})

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agency = get_object_or_404(Agency, code=kwargs["code"])
        roles = selectors.agency_roles_allowed(
            user=request.user, agency=self.agency, allowed=self.reader_roles
        )
        if roles is None:
            raise PermissionDenied(
                _("Halaman ini hanya untuk admin OPD %(agency)s.") % {"agency": self.agency.name}
            )
        self.can_manage = Role.AGENCY_ADMIN in roles
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "agency": self.agency, "can_manage": self.can_manage}


class AdminHomeView(LoginRequiredMixin, TemplateView):
    """The agencies this person administers; straight to the one if there is only one."""

    template_name = "procurement/admin/home.html"

    def get(self, request, *args, **kwargs):
        agencies = list(selectors.agencies_administered(user=request.user))
        if not agencies:
            readable = selectors.agencies_budget_readable(user=request.user).first()
            if readable is not None:  # a PA/KPA or treasurer: straight to the budget they answer for
                return redirect("procurement:opd-budget", code=readable.code)
            raise PermissionDenied(_("Halaman ini hanya untuk admin OPD."))
        if len(agencies) == 1:
            return redirect("procurement:opd-agency", code=agencies[0].code)
        return self.render_to_response(self.get_context_data(agencies=agencies))


class AgencyView(AgencyAdminMixin, TemplateView):
    """An agency at a glance: its office, people, this year's budget and the approval policy."""

    template_name = "procurement/admin/agency.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        ctx.update(year=year, **selectors.agency_overview(agency=self.agency, fiscal_year=year))
        return ctx


class MembersView(AgencyAdminMixin, FormView):
    """Everyone holding a role in the agency, the form to grant one, and the agency's units."""

    template_name = "procurement/admin/members.html"
    form_class = MembershipGrantForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agency": self.agency}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["memberships"] = selectors.agency_members(agency=self.agency)
        ctx["units"] = ctx["form"].fields["unit"].queryset
        ctx.setdefault("unit_form", UnitForm(prefix="unit"))
        return ctx

    def post(self, request, *args, **kwargs):
        if "unit-name" not in request.POST:
            return super().post(request, *args, **kwargs)
        unit_form = UnitForm(request.POST, prefix="unit")
        if not unit_form.is_valid():
            grant_form = MembershipGrantForm(agency=self.agency)
            return self.render_to_response(self.get_context_data(form=grant_form, unit_form=unit_form))
        unit = services.unit_create(
            agency=self.agency, name=unit_form.cleaned_data["name"], actor=request.user, ip=client_ip(request)
        )
        messages.success(
            request, _("Unit %(unit)s ada di %(agency)s.") % {"unit": unit.name, "agency": self.agency.name}
        )
        return redirect("procurement:opd-members", code=self.agency.code)

    def form_valid(self, form):
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            services.membership_grant(
                agency=self.agency,
                user=user,
                role=role,
                unit=form.cleaned_data["unit"],
                nip=form.cleaned_data["nip"],
                actor=self.request.user,
                ip=client_ip(self.request),
            )
        except services.ProcurementError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s kini memegang peran %(role)s.")
            % {"person": user.get_full_name() or user.email, "role": Role(role).label},
        )
        return redirect("procurement:opd-members", code=self.agency.code)


class MemberRevokeView(AgencyAdminMixin, TemplateView):
    """Confirm, then take one role away from one person."""

    template_name = "procurement/admin/member_revoke.html"

    def get_membership(self):
        return get_object_or_404(selectors.agency_members(agency=self.agency), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "membership": self.get_membership()}

    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        try:
            services.membership_revoke(membership=membership, actor=request.user, ip=client_ip(request))
        except services.ProcurementError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Peran %(role)s %(person)s dicabut.")
                % {
                    "role": membership.get_role_display(),
                    "person": membership.user.get_full_name() or membership.user.email,
                },
            )
        return redirect("procurement:opd-members", code=self.agency.code)


class BudgetYearMixin:
    def get_year(self) -> int:
        try:
            year = int(self.request.GET.get("tahun", ""))
        except ValueError:
            year = timezone.localdate().year
        return year if 2000 <= year <= 2100 else timezone.localdate().year


class BudgetView(AgencyAdminMixin, BudgetYearMixin, TemplateView):
    """The agency's budget lines of one fiscal year: ceiling, committed, realised, available."""

    reader_roles = selectors.BUDGET_READERS

    template_name = "procurement/admin/budget.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.get_year()
        years = selectors.agency_budget_years(agency=self.agency)
        ctx.update(
            year=year,
            years=sorted({*years, year}, reverse=True),
            lines=selectors.agency_budget_lines(agency=self.agency, fiscal_year=year),
            totals=selectors.agency_budget_totals(agency=self.agency, fiscal_year=year),
        )
        return ctx


class BudgetLineEditView(AgencyAdminMixin, FormView):
    """Change a line's description, funding source or ceiling (never below what is already spent)."""

    template_name = "procurement/admin/budget_edit.html"
    form_class = BudgetLineForm

    def get_line(self):
        if not hasattr(self, "line"):
            self.line = get_object_or_404(self.agency.budget_lines.all(), pk=self.kwargs["pk"])
        return self.line

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_line()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "line": self.get_line()}

    def form_valid(self, form):
        line = self.get_line()
        changes = {name: form.cleaned_data[name] for name in ("description", "funding_source", "ceiling")}
        try:
            services.budget_line_update(
                line=line, actor=self.request.user, changes=changes, ip=client_ip(self.request)
            )
        except services.BudgetLineRefused as exc:
            form.add_error("ceiling", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Baris anggaran %(code)s disimpan.") % {"code": line.account_code})
        return redirect(budget_url(self.agency, line.fiscal_year))


class BudgetImportView(AgencyAdminMixin, BudgetYearMixin, FormView):
    """Upload a SIPD-style CSV of budget lines; every bad row is listed, and then nothing is applied."""

    template_name = "procurement/admin/budget_import.html"
    form_class = BudgetImportForm

    def years(self) -> list[int]:
        return selectors.agency_budget_import_years(agency=self.agency)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "years": self.years()}

    def get_initial(self):
        return {"fiscal_year": self.get_year()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(columns=budget_csv.COLUMNS, example=budget_csv.EXAMPLE_ROWS, year=self.get_year())
        return ctx

    def form_valid(self, form):
        upload, year = form.cleaned_data["file"], form.cleaned_data["fiscal_year"]
        result = services.budget_lines_import_start(
            agency=self.agency,
            fiscal_year=year,
            file=upload,
            actor=self.request.user,
            ip=client_ip(self.request),
            file_name=upload.name,
        )
        if isinstance(result, ImportJob):  # a big file: a worker applies it while the page shows progress
            return redirect("procurement:opd-budget-job", code=self.agency.code, pk=result.pk)
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, **errors_shown(result.errors)))
        messages.success(
            self.request,
            _(
                "%(file)s diterapkan untuk tahun %(year)d: %(created)d baris baru, "
                "%(updated)d diubah, %(unchanged)d tetap."
            )
            % {
                "file": upload.name,
                "year": year,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return redirect(budget_url(self.agency, year))


class BudgetImportJobMixin(AgencyAdminMixin):
    """A big budget import being applied by a worker, looked up within this agency's own jobs."""

    def get_job(self) -> ImportJob:
        return get_object_or_404(
            import_jobs_of(owner=self.agency, kind=ImportKind.BUDGET_CSV), pk=self.kwargs["pk"]
        )


class BudgetImportJobView(BudgetImportJobMixin, TemplateView):
    """Its progress bar while it runs (peken/import-progress.js), then what it changed or why not."""

    template_name = "procurement/admin/budget_job.html"

    def get_context_data(self, **kwargs):
        job = self.get_job()
        ctx = {**super().get_context_data(**kwargs), **import_job_context(job=job)}
        ctx["budget_url"] = budget_url(self.agency, job.params["fiscal_year"])
        return ctx


class BudgetImportJobStatusView(BudgetImportJobMixin, View):
    """The progress bar's JSON: status, rows done and total."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(import_job_progress(job=self.get_job()))


class BudgetTemplateView(AgencyAdminMixin, BudgetYearMixin, View):
    """The agency's lines of a year as the CSV to fill in (example rows if it has none yet)."""

    reader_roles = selectors.BUDGET_READERS

    def get(self, request, *args, **kwargs):
        year = self.get_year()
        lines = selectors.agency_budget_lines(agency=self.agency, fiscal_year=year)
        body = budget_csv.budget_csv_template(lines)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="anggaran-{self.agency.code}-{year}.csv"'
        return response


class PolicyView(AgencyAdminMixin, TemplateView):
    """The agency's approval steps, each with who holds its role (two queries)."""

    reader_roles = selectors.BUDGET_READERS

    template_name = "procurement/admin/policy.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "steps": selectors.agency_policy(agency=self.agency)}


urlpatterns = [
    path("opd/", AdminHomeView.as_view(), name="opd-home"),
    path("opd/<slug:code>/", AgencyView.as_view(), name="opd-agency"),
    path("opd/<slug:code>/anggota/", MembersView.as_view(), name="opd-members"),
    path("opd/<slug:code>/anggota/<int:pk>/cabut/", MemberRevokeView.as_view(), name="opd-member-revoke"),
    path("opd/<slug:code>/anggaran/", BudgetView.as_view(), name="opd-budget"),
    path("opd/<slug:code>/anggaran/<int:pk>/ubah/", BudgetLineEditView.as_view(), name="opd-budget-edit"),
    path("opd/<slug:code>/anggaran/impor/", BudgetImportView.as_view(), name="opd-budget-import"),
    path("opd/<slug:code>/anggaran/impor/<int:pk>/", BudgetImportJobView.as_view(), name="opd-budget-job"),
    path(
        "opd/<slug:code>/anggaran/impor/<int:pk>/status/",
        BudgetImportJobStatusView.as_view(),
        name="opd-budget-job-status",
    ),
    path("opd/<slug:code>/anggaran/templat.csv", BudgetTemplateView.as_view(), name="opd-budget-template"),
    path("opd/<slug:code>/persetujuan/", PolicyView.as_view(), name="opd-policy"),
]
