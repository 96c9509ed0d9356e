from django.apps import AppConfig
from django.urls import path
from django.utils.translation import gettext_lazy as _


class BuyersConfig(AppConfig):
    """A shopper's own settings on Peken: the kecamatan they live in and the language they read."""

    name = "buyers"
    verbose_name = _("Pembeli")
    default_auto_field = "django.db.models.AutoField"

    @property
    def urls(self):
        # imported here: the views load models, not ready while app configs are imported
        from buyers import views

        return (
            [
                path("kecamatan/", views.BuyerKecamatanView.as_view(), name="kecamatan"),
            ],
            "buyers",
            "buyers",
        )
