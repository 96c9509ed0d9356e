"""Emails about requisitions: to whoever can act on the current step, or back to the requester.

Called by procurement.tasks.requisition_notify after the change committed;
the message is built from the requisition as it stands then.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

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


def requisition_notify(*, requisition_id: int, event: str) -> int:
    """Email the people ``event`` concerns about one requisition; returns how many were written to."""
    from procurement.services import rupiah

    requisition = Requisition.objects.select_related("agency", "requester").get(pk=requisition_id)
    values = {
        "ref": requisition.reference,
        "agency": requisition.agency.name,
        "total": rupiah(requisition.total),
        "purpose": requisition.purpose,
        "status": requisition.get_status_display(),
    }
    if event in TO_APPROVERS:
        step = selectors.requisition_current_step(requisition=requisition)
        if step is None:
            return 0
        recipients = sorted(
            {u.email for u, _for in selectors.step_candidates(requisition=requisition, step=step) if u.email}
        )
        subject = (
            _("Pengingat: permintaan %(ref)s menunggu persetujuan Anda")
            if event == "reminder"
            else _("Permintaan %(ref)s menunggu persetujuan Anda")
        ) % values
        body = _(
            "%(agency)s mengajukan permintaan %(ref)s senilai %(total)s untuk: %(purpose)s.\n"
            "Buka untuk menyetujui, menolak, atau mengembalikan:\n%(url)s\n"
        ) % (values | {"url": _url("decide", requisition.reference)})
    else:
        recipients = [requisition.requester.email] if requisition.requester.email else []
        subject = _("Permintaan %(ref)s: %(status)s") % values
        body = _("Permintaan %(ref)s senilai %(total)s kini berstatus: %(status)s.\n%(url)s\n") % (
            values | {"url": _url("detail", requisition.reference)}
        )
    if recipients:
        send_mail(subject, body, None, recipients)
    return len(recipients)
