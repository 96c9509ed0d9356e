from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    """Official buying by agencies (OPD): budgets, requisitions, approvals and their trail."""

    name = "procurement"
    verbose_name = _("Pengadaan OPD")
    default_auto_field = "django.db.models.BigAutoField"
