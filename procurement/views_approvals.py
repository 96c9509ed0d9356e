"""The approver's pages: the inbox, a decision at the current step, and delegations.

Access, view by view (tests/test_procurement_access.py walks them all):
- inbox, decision page: an approver or active delegate of the requisition's agency (others 404);
- delegations: a person holding an approver role in an agency (others 403).
Anonymous visitors are sent to sign in.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from procurement import selectors, services
from procurement.context_processors import roles_of
from procurement.forms import (
    DecisionForm,
    DelegationForm,
)
from procurement.models import Agency, ApprovalStep, Delegation
from procurement.statuses import APPROVER_ROLES
from procurement.views_buying import client_ip, requisition_context, requisition_for_approver, waiting_label


class InboxView(LoginRequiredMixin, TemplateView):
    """Menunggu persetujuan Anda: requisitions whose current step the person may decide."""

    template_name = "procurement/buying/inbox.html"

    def get_context_data(self, **kwargs):
        requisitions = list(selectors.approver_inbox(user=self.request.user))
        for requisition in requisitions:
            requisition.waiting_at = waiting_label(requisition)
        return super().get_context_data(requisitions=requisitions, **kwargs)


class DecisionView(LoginRequiredMixin, FormView):
    """Approve, reject or return a requisition at its current step, with a comment."""

    template_name = "procurement/buying/decide.html"
    form_class = DecisionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.requisition = requisition_for_approver(request, kwargs["reference"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = requisition_context(self.requisition, self.request.user)
        step = context["current_step"]
        context["candidates"] = (
            list(selectors.step_candidates(requisition=self.requisition, step=step))
            if step is not None
            else []
        )
        context["policy"] = list(
            ApprovalStep.objects.filter(agency=self.requisition.agency_id).order_by("position")
        )
        context["may_decide"] = step is not None and any(
            person.pk == self.request.user.pk for person, _principal in context["candidates"]
        )
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form):
        try:
            decision = services.requisition_decide(
                requisition=self.requisition,
                user=self.request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                ip=client_ip(self.request),
            )
        except services.ProcurementError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Keputusan Anda (%(decision)s) atas %(reference)s tercatat.")
            % {"decision": decision.get_decision_display(), "reference": self.requisition.reference},
        )
        return redirect("procurement:inbox")


class DelegationView(LoginRequiredMixin, FormView):
    """An approver's delegations: name a colleague for a date range, see and revoke them."""

    template_name = "procurement/buying/delegations.html"
    form_class = DelegationForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.roles_by_agency: dict[int, set[str]] = {}
        names = {}
        for agency_id, name, role in roles_of(request.user):
            if role in APPROVER_ROLES and agency_id:
                self.roles_by_agency.setdefault(agency_id, set()).add(role)
                names[agency_id] = name
        if not self.roles_by_agency:
            raise PermissionDenied(_("Hanya pejabat yang menyetujui permintaan yang bisa mendelegasikan."))
        wanted = request.GET.get("agency") or request.POST.get("agency")
        agency_id = int(wanted) if wanted and wanted.isdigit() and int(wanted) in names else min(names)
        self.agency = get_object_or_404(Agency, pk=agency_id)
        self.agency_names = names
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "agency": self.agency,
            "user": self.request.user,
            "roles": self.roles_by_agency[self.agency.pk],
        }

    def get_context_data(self, **kwargs):
        user = self.request.user
        delegations = (
            Delegation.objects.filter(Q(delegator=user) | Q(delegate=user))
            .select_related("agency", "delegator", "delegate")
            .order_by("-start", "-pk")
        )
        return super().get_context_data(
            agency=self.agency,
            agencies=sorted(self.agency_names.items()),
            delegations=delegations,
            today=timezone.localdate(),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.delegation_create(
                agency=self.agency,
                delegator=self.request.user,
                delegate=data["delegate"],
                role=data["role"],
                start=data["start"],
                end=data["end"],
                actor=self.request.user,
                ip=client_ip(self.request),
            )
        except services.ProcurementError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Delegasi kepada %(name)s tersimpan.")
            % {"name": data["delegate"].get_full_name() or data["delegate"].email},
        )
        return redirect("procurement:delegations")


class DelegationRevokeView(LoginRequiredMixin, View):
    """The delegator (only) revokes one of their delegations (POST)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        delegation = get_object_or_404(Delegation, pk=pk, delegator=request.user)
        try:
            services.delegation_revoke(delegation=delegation, actor=request.user, ip=client_ip(request))
        except services.ProcurementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Delegasi dicabut."))
        return redirect("procurement:delegations")


urlpatterns = [
    path("persetujuan/", InboxView.as_view(), name="inbox"),
    path("persetujuan/<str:reference>/", DecisionView.as_view(), name="decide"),
    path("delegasi/", DelegationView.as_view(), name="delegations"),
    path("delegasi/<int:pk>/cabut/", DelegationRevokeView.as_view(), name="delegation-revoke"),
]
