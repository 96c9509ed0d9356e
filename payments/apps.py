from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Card payments through Stripe: intents, webhook events and refunds."""

    name = "payments"
    verbose_name = _("Pembayaran kartu")
