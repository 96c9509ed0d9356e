from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """Official purchases published as open data (OCDS 1.1): releases, records, the bulk file, the page."""

    name = "opendata"
    verbose_name = _("Data terbuka")
    default_auto_field = "django.db.models.BigAutoField"
