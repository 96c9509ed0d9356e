from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposureConfig(AppConfig):
    """Fair exposure of sellers on listings: the Rekomendasi ordering and its order counters."""

    name = "exposure"
    verbose_name = _("Paparan penjual")
    default_auto_field = "django.db.models.AutoField"
