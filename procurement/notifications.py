"""Emails about requisitions: to whoever can act on the current step, or back to the requester.

Called by procurement.tasks.requisition_notify after the change committed;
the message is built from the requisition as it stands then.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.mail import mail_users
from peken.money import rupiah_format
from procurement import selectors
from procurement.models import Requisition

# events that go to the approvers of the current step; the rest go to the requester
TO_APPROVERS = frozenset({"submitted", "reminder"})


def _url(name: str, reference: str) -> str:
    try:
        path = reverse(f"procurement:{name}", kwargs={"reference": reference})
    except NoReverseMatch:
        path = "/pengadaan/"
    return f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}{path}"


def _decision_text(requisition: Requisition, event: str) -> str:
    """The latest decision, who made it (for whom) and their comment, for the requester's email."""
    if event not in {"step_approved", "approved", "rejected", "returned"}:
        return ""
    decision = requisition.decisions.select_related("actor", "acting_for").order_by("-pk").first()
    if decision is None:
        return ""
    who = decision.actor.get_full_name() or decision.actor.email
    if decision.acting_for_id:
        who = _("%(who)s atas nama %(for)s") % {
            "who": who,
            "for": decision.acting_for.get_full_name() or decision.acting_for.email,
        }
    text = _("%(decision)s oleh %(who)s (%(role)s).") % {
        "decision": decision.made_label,
        "who": who,
        "role": decision.get_role_display(),
    }
    if decision.comment:
        # on its own line: a comment seldom ends with a full stop, so nothing may follow it on the line
        text += "\n" + _("Catatan: %(comment)s") % {"comment": decision.comment}
    if event == "step_approved":
        step = selectors.requisition_current_step(requisition=requisition)
        if step is not None:
            text += "\n" + _("Kini menunggu %(role)s.") % {"role": step.get_role_display()}
    return text + "\n"


def requisition_notify(*, requisition_id: int, event: str) -> int:
    """Email the people ``event`` concerns about one requisition; returns how many were written to."""
    requisition = Requisition.objects.select_related("agency", "requester").get(pk=requisition_id)
    if event in TO_APPROVERS:
        step = selectors.requisition_current_step(requisition=requisition)
        if step is None:
            return 0
        users = list(
            {u.pk: u for u, _for in selectors.step_candidates(requisition=requisition, step=step)}.values()
        )
    else:
        users = [requisition.requester]

    def render() -> tuple[str, str]:
        values = {
            "ref": requisition.reference,
            "agency": requisition.agency.name,
            "total": rupiah_format(requisition.total),
            "purpose": requisition.purpose,
            "status": requisition.get_status_display(),
        }
        if event in TO_APPROVERS:
            subject = (
                _("Pengingat: permintaan %(ref)s menunggu persetujuan Anda")
                if event == "reminder"
                else _("Permintaan %(ref)s menunggu persetujuan Anda")
            ) % values
            body = _(
                "%(agency)s mengajukan permintaan %(ref)s senilai %(total)s untuk: %(purpose)s.\n"
                "Buka untuk menyetujui, menolak, atau mengembalikan:\n%(url)s\n"
            ) % (values | {"url": _url("decide", requisition.reference)})
            return subject, body
        subject = _("Permintaan %(ref)s: %(status)s") % values
        body = _("Permintaan %(ref)s senilai %(total)s kini berstatus: %(status)s.\n") % values
        body += _decision_text(requisition, event)
        return subject, body + _url("detail", requisition.reference) + "\n"

    return mail_users(users=users, render=render)


def official_order_notify(*, change_id: int) -> int:
    """Email the requester about a seller's move on one official order, once per move.

    The cache remembers a move already told (for a day), so a task run again
    after a lost acknowledgement does not write twice. Returns how many were
    written to.
    """
    change = (
        get_model("order", "OrderStatusChange")
        .objects.select_related("order__seller")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return 0
    order = change.order
    requisition = (
        Requisition.objects.select_related("requester")
        .filter(checkout_reference=order.checkout_reference)
        .first()
    )
    if requisition is None or not requisition.requester.email:
        return 0
    if not cache.add(f"procurement:official-order-told:{change_id}", True, 24 * 3600):
        return 0

    def render() -> tuple[str, str]:
        values = {
            "ref": requisition.reference,
            "number": order.number,
            "seller": order.seller.name if order.seller else "",
            "total": rupiah_format(order.total_incl_tax),
            "status": OrderStatus(change.new_status).label,
        }
        subject = _("Pesanan %(number)s (%(ref)s) dari %(seller)s: %(status)s") % values
        body = _("Pesanan %(number)s senilai %(total)s untuk permintaan %(ref)s kini: %(status)s.\n") % values
        if change.reason:
            body += _("Alasan dari penjual: %(reason)s") % {"reason": change.reason} + "\n"
        return subject, body + _url("detail", requisition.reference) + "\n"

    return mail_users(users=[requisition.requester], render=render)
