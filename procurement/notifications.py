"""Emails about requisitions: to whoever can act on the current step, or back to the requester.

Called by procurement.tasks.requisition_notify after the change committed;
the message is built from the requisition as it stands then.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.mail import mail_users
from peken.money import rupiah_format
from procurement import selectors
from procurement import selectors_fulfilment as fulfilment
from procurement.models import GoodsReceipt, OfficialPayment, Requisition
from procurement.statuses import Role

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


# what each step after delivery tells the seller, the requester and (once complete) the treasurer
FULFILMENT_SUBJECTS = {
    "received": gettext_lazy("BAST %(number)s ke-%(seq)s dicatat"),
    "complete": gettext_lazy("Pesanan %(number)s selesai diterima"),
    "closed_short": gettext_lazy("Pesanan %(number)s ditutup dengan kekurangan"),
    "paid": gettext_lazy("Pesanan %(number)s dibayar"),
}


def fulfilment_notify(*, order_id: int, event: str, object_id: int | None) -> int:
    """Email the seller and the requester after a handover, a short closure or a payment.

    A complete order also goes to the agency's treasurers, who pay next. Once per event and
    object (cached for a day), so a retried task does not write twice. Returns how many were
    written to.
    """
    order = get_model("order", "Order").objects.select_related("seller").filter(pk=order_id).first()
    requisition = fulfilment.official_order_requisition(order) if order else None
    if requisition is None or event not in FULFILMENT_SUBJECTS:
        return 0
    if not cache.add(f"procurement:fulfilment-told:{order_id}:{event}:{object_id}", True, 24 * 3600):
        return 0
    receipt = GoodsReceipt.objects.filter(pk=object_id).first() if event in ("received", "complete") else None
    payment = OfficialPayment.objects.filter(pk=object_id).first() if event == "paid" else None
    users = [requisition.requester, *order.seller.users.all()]
    if event in ("complete", "closed_short"):
        users += [
            m.user for m in requisition.agency.memberships.filter(role=Role.TREASURER).select_related("user")
        ]

    def render() -> tuple[str, str]:
        values = {"number": order.number, "ref": requisition.reference, "seq": receipt.seq if receipt else ""}
        subject = FULFILMENT_SUBJECTS[event] % values
        lines = [
            _("Pesanan %(number)s untuk permintaan %(ref)s (%(agency)s).")
            % (values | {"agency": requisition.agency})
        ]
        if receipt is not None:
            for line in receipt.lines.select_related("order_line"):
                lines.append(
                    _("%(title)s: datang %(received)d, diterima baik %(accepted)d.")
                    % {
                        "title": line.order_line.title,
                        "received": line.quantity_received,
                        "accepted": line.quantity_accepted,
                    }
                    + (
                        " " + _("Ditolak: %(reason)s") % {"reason": line.rejection_reason}
                        if line.rejection_reason
                        else ""
                    )
                )
        if event == "closed_short":
            closure = getattr(order, "short_closure", None)
            if closure is not None:
                lines.append(_("Alasan: %(reason)s") % {"reason": closure.reason})
        if payment is not None:
            lines.append(
                _(
                    "Total tagihan %(gross)s, pajak dipotong/dipungut %(withheld)s, "
                    "dibayar ke penjual %(net)s."
                )
                % {
                    "gross": rupiah_format(payment.gross),
                    "withheld": rupiah_format(payment.withheld),
                    "net": rupiah_format(payment.net),
                }
            )
        return subject, "\n".join(lines) + "\n" + _url("detail", requisition.reference) + "\n"

    return mail_users(users=users, render=render)
