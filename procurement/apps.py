from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    """Official buying by agencies (OPD): budgets, requisitions, approvals and their trail."""

    name = "procurement"
    verbose_name = _("Pengadaan OPD")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # imported here: the models and the other apps are loaded only once ready() runs
        from django.db.models.signals import post_delete, post_save

        from orders.signals import order_status_changed
        from payments.signals import payment_succeeded
        from peken.imports import import_runner_register
        from peken.models import ImportKind
        from procurement.context_processors import roles_forget
        from procurement.models import Membership
        from procurement.order_hooks import official_order_extra, official_order_status_changed
        from procurement.services import budget_import_job_apply
        from procurement.services.treasury import card_payment_succeeded
        from sellers.order_extras import order_extra_register

        # the header caches who holds which role (procurement/context_processors.py)
        def _forget(sender, instance, **kwargs):
            roles_forget(instance.user_id)

        post_save.connect(
            _forget, sender=Membership, weak=False, dispatch_uid="procurement-roles-forget-save"
        )
        post_delete.connect(
            _forget, sender=Membership, weak=False, dispatch_uid="procurement-roles-forget-delete"
        )
        order_status_changed.connect(
            official_order_status_changed, weak=False, dispatch_uid="procurement-official-order-status"
        )
        # an agency's KKPD card payment reported paid by Stripe settles its official payment
        payment_succeeded.connect(
            card_payment_succeeded, weak=False, dispatch_uid="procurement-card-payment-succeeded"
        )
        # the seller of an official order sees the agency, contact, Kode RUP and delivery address
        order_extra_register(official_order_extra)
        # a big budget CSV is applied by a worker (peken.imports)
        import_runner_register(ImportKind.BUDGET_CSV, budget_import_job_apply)
