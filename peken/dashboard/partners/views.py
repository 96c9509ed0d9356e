"""The dashboard's shop page: a change of the shop's name is saved and recorded like any staff edit."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.views import generic
from oscar.apps.dashboard.partners import views

from sellers import services
from sellers.abstract_models import StaffTool


class PartnerManageView(views.PartnerManageView):
    def form_valid(self, form):
        self.partner.name = form.cleaned_data["name"]
        services.seller_details_save(
            seller=self.partner, actor=self.request.user, changed=["name"], source=StaffTool.DASHBOARD
        )
        messages.success(self.request, _("Toko %(name)s diperbarui.") % {"name": self.partner.name})
        # Oscar's own form_valid would save the shop again, unrecorded; only the address is left.
        return generic.UpdateView.form_valid(self, form)
