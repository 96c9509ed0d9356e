"""Demo agencies for official procurement, from fixtures/procurement.json.

Five OPD of Surabaya (Dinas Kesehatan, Dinas Pendidikan, Bappeda, Kecamatan
Gubeng, Kecamatan Tegalsari) with their units and office addresses; in each,
one person per role (requester/PPTK, Pejabat Pengadaan, PPK, PA/KPA,
Bendahara, agency admin), e.g. pptk.dinkes@peken.local; a city-wide auditor
(inspektorat@peken.local); this fiscal year's budget lines, imported through
the same SIPD-style CSV importer an agency admin uses; the default approval
policy. Everything is written through procurement.services, so the audit
trail holds it, and only what is missing is written: a second run changes
nothing, and keeps what was changed since (roles revoked, budget lines and
passwords edited). Called by peken.demo.demo_load, which refuses to run in production.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from peken.exports import csv_text
from peken.money import rupiah_format
from procurement import services
from procurement.budget_csv import COLUMNS, sub_activity_label
from procurement.models import Agency, ApprovalStep, BudgetLine, Membership, Unit
from procurement.statuses import Role

User = get_user_model()
# One password for every demo official; printed by `manage.py peken_demo`.
OFFICIAL_PASSWORD = "opd-peken-2026"


@dataclass(frozen=True)
class ProcurementDemoCounts:
    agencies: int
    officials: int
    budget_lines: int


@cache
def fixture() -> dict:
    return json.loads((Path(settings.BASE_DIR) / "fixtures" / "procurement.json").read_text(encoding="utf-8"))


def auditor_email() -> str:
    return fixture()["auditor"]["email"]


def official_logins() -> list[tuple[str, str, str]]:
    """(agency, role, email) of every demo official, for `manage.py peken_demo` to print."""
    rows = [
        (agency["name"], str(Role(person["role"]).label), person["email"])
        for agency in fixture()["agencies"]
        for person in agency["people"]
    ]
    return [*rows, ("Inspektorat (seluruh kota)", str(Role.AUDITOR.label), auditor_email())]


def _user(*, email: str, first_name: str, last_name: str) -> User | None:
    """The official's account, created with the demo password; None if it already exists (kept as is)."""
    if User.objects.filter(email=email).exists():
        return None
    user = User(
        username=email.split("@")[0], email=email, first_name=first_name, last_name=last_name, is_active=True
    )
    user.set_password(OFFICIAL_PASSWORD)
    user.save()
    return user


def _budget_csv(rows: list[dict]) -> bytes:
    """The agency's demo lines as the SIPD-style CSV an agency admin would upload."""
    cells = (
        [
            row["sub_activity_code"],
            row["sub_activity"],
            row["account_code"],
            row["description"],
            row["funding_source"],
            rupiah_format(row["ceiling"], symbol=False),
        ]
        for row in rows
    )
    return csv_text(header=COLUMNS, rows=cells, delimiter=";").encode("utf-8")


def _agency(data: dict, *, actor) -> Agency:
    agency = Agency.objects.filter(code=data["code"]).first()
    if agency is None:
        agency = services.agency_create(
            name=data["name"],
            code=data["code"],
            address=data["address"],
            kecamatan=data["kecamatan"],
            actor=actor,
        )
    elif not ApprovalStep.objects.filter(agency=agency).exists():
        services.approval_policy_default(agency=agency, actor=actor)
    units = {unit.name: unit for unit in Unit.objects.filter(agency=agency)}
    for name in data["units"]:
        if name not in units:
            units[name] = services.unit_create(agency=agency, name=name, actor=actor)
    for person in data["people"]:
        user = _user(email=person["email"], first_name=person["first_name"], last_name=person["last_name"])
        if user is None:
            continue  # an existing official keeps the roles they have now
        unit = units[person["unit"]] if person["unit"] else None
        services.membership_grant(agency=agency, user=user, role=person["role"], unit=unit, actor=actor)
    year = timezone.localdate().year
    have = set(
        BudgetLine.objects.filter(agency=agency, fiscal_year=year).values_list("sub_activity", "account_code")
    )
    # Only the missing lines: the importer would set a matched line's ceiling back to the fixture's.
    missing = [
        row
        for row in data["budget"]
        if (sub_activity_label(row["sub_activity_code"], row["sub_activity"]), row["account_code"])
        not in have
    ]
    if missing:
        result = services.budget_lines_import(
            agency=agency,
            fiscal_year=year,
            file=_budget_csv(missing),
            actor=actor,
            file_name=f"dpa-{agency.code}-{year}.csv",
        )
        if not result.ok:
            raise ValueError(f"fixtures/procurement.json, {agency.code}: {result.errors}")
    return agency


def procurement_demo_load() -> ProcurementDemoCounts:
    """Load or refresh the demo agencies, officials and budgets; idempotent. Runs inside demo_load."""
    from peken.demo import ADMIN  # the platform admin (Diskominfo) is who creates agencies

    actor = User.objects.filter(email=ADMIN["email"]).first()
    data = fixture()
    for agency in data["agencies"]:
        _agency(agency, actor=actor)
    auditor = data["auditor"]
    user = _user(email=auditor["email"], first_name=auditor["first_name"], last_name=auditor["last_name"])
    if user is not None:
        services.membership_grant(agency=None, user=user, role=Role.AUDITOR, actor=actor)
    codes = [agency["code"] for agency in data["agencies"]]
    return ProcurementDemoCounts(
        agencies=len(codes),
        officials=Membership.objects.filter(user__email__endswith="@peken.local")
        .values("user")
        .distinct()
        .count(),
        budget_lines=BudgetLine.objects.filter(
            agency__code__in=codes, fiscal_year=timezone.localdate().year
        ).count(),
    )
