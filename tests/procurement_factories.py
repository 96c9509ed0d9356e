"""Test data for procurement: agencies, their people by role, budget lines and requisitions.

Shared by the procurement test modules; add to it with small edits.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from procurement.models import Agency, BudgetLine, Membership, Requisition, RequisitionLine, Unit
from procurement.statuses import RequisitionStatus, Role
from tests.factories import UserFactory


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    code = factory.Sequence(lambda n: f"dinas-uji-{n}")
    address = "Jl. Jimerto No. 25-27, Surabaya"
    kecamatan = "Genteng"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Bidang {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.REQUESTER


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    agency = factory.SubFactory(AgencyFactory)
    fiscal_year = factory.LazyFunction(lambda: timezone.localdate().year)
    sub_activity = factory.Sequence(lambda n: f"Penyelenggaraan Rapat Koordinasi {n}")
    account_code = "5.1.02.01.01.0052"
    description = "Belanja Makanan dan Minuman Rapat"
    funding_source = "PAD"
    ceiling = Decimal("100000000")


class RequisitionFactory(factory.django.DjangoModelFactory):
    """A requisition written directly (not through the services), for pages and access tests."""

    class Meta:
        model = Requisition

    reference = factory.Sequence(lambda n: f"PGD-UJI-{n:05d}")
    agency = factory.SubFactory(AgencyFactory)
    requester = factory.SubFactory(UserFactory)
    budget_line = factory.LazyAttribute(lambda o: BudgetLineFactory(agency=o.agency))
    purpose = "Konsumsi rapat koordinasi posyandu"
    delivery_address = "Jl. Jemursari No. 197, Surabaya"
    needed_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    status = RequisitionStatus.SUBMITTED
    total = Decimal("0")
    round = 1


class RequisitionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequisitionLine

    requisition = factory.SubFactory(RequisitionFactory)
    seller = factory.SubFactory("tests.factories.PartnerFactory")
    title = factory.Sequence(lambda n: f"Nasi Kotak Ayam Bakar {n}")
    partner_sku = factory.Sequence(lambda n: f"NK{n:05d}")
    quantity = 10
    unit_price = Decimal("25000")


def person_with_roles(*, agency, roles, email: str | None = None, unit=None):
    """One person holding ``roles`` in ``agency`` (agency None: a city-wide auditor)."""
    user = UserFactory(**({"email": email, "username": email.split("@")[0]} if email else {}))
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


def official_basket(*, user, items):
    """An open basket of ``user`` holding (product, quantity) items, priced by Oscar's strategy."""
    from oscar.core.loading import get_class, get_model

    basket = get_model("basket", "Basket").objects.create(owner=user)
    basket.strategy = get_class("partner.strategy", "Selector")().strategy(user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


def approval_world(*, ceiling=Decimal("500000000")):
    """An agency with DOMAIN.md's approval policy, one person per role, and one budget line.

    Returns a namespace: agency, line, requester, pp, ppk, pa, admin.
    """
    from types import SimpleNamespace

    from procurement.services import approval_policy_default

    agency = AgencyFactory(name="Dinas Kesehatan Uji", code="dinkes-uji")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin@dinkes.uji")
    approval_policy_default(agency=agency, actor=admin)
    world = SimpleNamespace(
        agency=agency,
        admin=admin,
        line=BudgetLineFactory(agency=agency, ceiling=ceiling),
        requester=person_with_roles(agency=agency, roles=[Role.REQUESTER], email="rina@dinkes.uji"),
        pp=person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="budi@dinkes.uji"),
        ppk=person_with_roles(agency=agency, roles=[Role.COMMITMENT_OFFICIAL], email="citra@dinkes.uji"),
        pa=person_with_roles(agency=agency, roles=[Role.BUDGET_HOLDER], email="dedi@dinkes.uji"),
    )
    names = (("requester", "Rina"), ("pp", "Budi"), ("ppk", "Citra"), ("pa", "Dedi"), ("admin", "Eka"))
    for attr, name in names:
        person = getattr(world, attr)
        person.first_name, person.last_name = name, "Uji"
        person.save(update_fields=["first_name", "last_name"])
    return world
