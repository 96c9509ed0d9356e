from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Peken's REST API for the city's other systems: the same services and rules as the pages."""

    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # registers the token scheme with drf-spectacular, so the schema documents it
        from api import schema  # noqa: F401
