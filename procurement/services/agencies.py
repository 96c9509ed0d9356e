"""Agencies and their people: agencies, units, and the roles people hold in them.

Platform admins create agencies and units (Django admin, demo data); an
agency's admin grants and revokes its people's roles, and the last agency
admin cannot be removed. A role change forgets the person's cached roles
after commit.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from peken import locks
from procurement.audit import audit_record
from procurement.context_processors import roles_forget
from procurement.models import Agency, Membership, Unit
from procurement.services._common import MembershipRefused
from procurement.services.delegations import approval_policy_default
from procurement.statuses import Role


def _membership_values(membership: Membership) -> dict:
    return {
        "user": membership.user_id,
        "email": membership.user.email,
        "agency": membership.agency_id,
        "role": membership.role,
        "unit": membership.unit_id,
        "nip": membership.nip,
    }


def agency_create(
    *,
    name: str,
    code: str,
    address: str = "",
    kecamatan: str = "",
    nitku: str = "",
    actor,
    ip: str | None = None,
) -> Agency:
    """Create an agency (OPD) with the default approval policy, recorded in the audit trail.

    Only platform admins call this (Django admin, demo data). Raises
    django.db.IntegrityError if the name or code is already taken.
    """
    with transaction.atomic():
        agency = Agency.objects.create(
            name=name, code=code, address=address, kecamatan=kecamatan, nitku=nitku
        )
        audit_record(
            actor=actor,
            action="agency.create",
            obj=agency,
            ip=ip,
            after={"name": name, "code": code, "address": address, "kecamatan": kecamatan, "nitku": nitku},
        )
        approval_policy_default(agency=agency, actor=actor, ip=ip)
    return agency


def membership_grant(
    *,
    agency: Agency | None,
    user,
    role: str,
    unit: Unit | None = None,
    nip: str = "",
    actor,
    ip: str | None = None,
) -> Membership:
    """Give ``user`` a role in ``agency`` (optionally in one of its units); doing it twice grants once.

    The auditor role is city-wide (``agency`` None, granted by platform
    admins); every other role belongs to an agency. Granting a role the person
    already holds only moves them to ``unit`` if it differs, and records a
    new NIP (18 digits, printed under their signature on documents) if one is
    given. Raises MembershipRefused for an unknown role, an auditor role in an
    agency, an agency role without one, a unit of another agency or a NIP that
    is not 18 digits.
    """
    nip = "".join(nip.split())
    if nip and not (nip.isdigit() and len(nip) == 18):
        raise MembershipRefused(_("NIP terdiri dari 18 angka."))
    if role not in Role.values or (role == Role.AUDITOR) != (agency is None):
        raise MembershipRefused(_("Peran ini tidak dapat diberikan oleh admin OPD."))
    if unit is not None and (agency is None or unit.agency_id != agency.pk):
        raise MembershipRefused(_("Unit %(unit)s bukan bagian dari OPD ini.") % {"unit": unit.name})
    with transaction.atomic():
        membership, created = locks.membership_lock_or_create(
            user=user, agency=agency, role=role, defaults={"unit": unit, "created_by": actor, "nip": nip}
        )
        if created:
            audit_record(
                actor=actor,
                action="membership.grant",
                obj=membership,
                ip=ip,
                after=_membership_values(membership),
            )
        elif membership.unit_id != (unit.pk if unit else None) or (nip and membership.nip != nip):
            before = _membership_values(membership)
            membership.unit = unit
            membership.nip = nip or membership.nip
            membership.save(update_fields=["unit", "nip"])
            audit_record(
                actor=actor,
                action="membership.unit" if before["unit"] != membership.unit_id else "membership.nip",
                obj=membership,
                ip=ip,
                before={"unit": before["unit"], "nip": before["nip"]},
                after={"unit": membership.unit_id, "nip": membership.nip},
            )
        transaction.on_commit(lambda: roles_forget(user.pk))
    return membership


def membership_revoke(*, membership: Membership, actor, ip: str | None = None) -> None:
    """Take a role away from a person; revoking a role already gone does nothing.

    The last agency admin of an agency cannot be removed (nobody could assign
    roles any more): the agency's admin roles are locked in primary-key order,
    so two admins revoking each other at once cannot both succeed. Raises
    MembershipRefused in that case.
    """
    with transaction.atomic():
        if membership.role == Role.AGENCY_ADMIN and membership.agency_id:
            admins = locks.memberships_lock(
                Membership.objects.filter(agency_id=membership.agency_id, role=Role.AGENCY_ADMIN)
            )
            if membership.pk in {m.pk for m in admins} and len(admins) == 1:
                raise MembershipRefused(
                    _(
                        "Admin OPD terakhir tidak dapat dicabut. Berikan peran admin OPD "
                        "kepada orang lain terlebih dahulu."
                    )
                )
        current = locks.membership_lock(membership_id=membership.pk)
        if current is None:
            return
        before = _membership_values(current)
        user_id = current.user_id
        audit_record(actor=actor, action="membership.revoke", obj=current, ip=ip, before=before)
        current.delete()
        transaction.on_commit(lambda: roles_forget(user_id))


def unit_create(*, agency: Agency, name: str, actor, ip: str | None = None) -> Unit:
    """Add a unit (bidang, seksi, UPT, puskesmas) to an agency; an existing name is returned as it is.

    Platform admins create units (Django admin, demo data). Raises nothing
    beyond database errors.
    """
    with transaction.atomic():
        unit, created = Unit.objects.get_or_create(agency=agency, name=name)
        if created:
            audit_record(
                actor=actor, action="unit.create", obj=unit, ip=ip, after={"agency": agency.pk, "name": name}
            )
    return unit
