from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Spending reports of official purchases: budget realisation, UMKM share (reads only)."""

    name = "reports"
    verbose_name = _("Laporan belanja")
    default_auto_field = "django.db.models.BigAutoField"
