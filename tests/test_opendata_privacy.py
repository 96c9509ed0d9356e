"""Nothing personal is ever published as open data (../shared/DOMAIN.md "Open data").

Every personal field is filled with a value found nowhere else, the purchases run to payment
through the services, and every package, the bulk file and the page are searched for them.
"""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from oscar.core.loading import get_model

from opendata import selectors, tasks
from procurement.models import Membership, Requisition
from sellers.abstract_models import TaxpayerType, UmkmScale
from tests import ocds_schema
from tests.fulfilment_world import fulfilment_world
from tests.reports_world import paid

PartnerAddress = get_model("partner", "PartnerAddress")
pytestmark = pytest.mark.django_db

# keys that would carry a person's data or a seller's private registration
FORBIDDEN_KEYS = ("mbr", "low_income", "ktp", "nik", "npwp", "email", "phone", "contactpoint", "bank")


def _individual(
    seller,
    *,
    nib: str,
    ktp: str,
    npwp: str,
    owner: str,
    phone: str,
    account: str,
    street: str,
    postcode: str,
    country,
):
    """``seller`` as an individual's shop with every private field set, in a low-income household."""
    seller.nib, seller.ktp_number, seller.npwp, seller.owner_name = nib, ktp, npwp, owner
    seller.phone, seller.bank_name, seller.bank_account_number, seller.bank_account_holder = (
        phone,
        "Bank Jatim",
        account,
        owner,
    )
    seller.taxpayer_type, seller.low_income_household = TaxpayerType.INDIVIDUAL, True
    seller.umkm_scale, seller.annual_sales = UmkmScale.MICRO, Decimal("150000000")
    seller.save()
    PartnerAddress.objects.create(
        partner=seller,
        line1=street,
        line3="Kec. Wonokromo",
        line4="Surabaya",
        postcode=postcode,
        country=country,
    )


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return {k.lower() for k in value} | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_personal_data_appears_in_any_package_the_bulk_file_or_the_page(
    client, indonesia, django_capture_on_commit_callbacks
):
    # given two individuals' shops with every private field set, one with a NIB and one without
    world = fulfilment_world()
    _individual(
        world.ani,
        nib="9120001234567",
        ktp="3578014405800007",
        npwp="3578014405800007",
        owner="Ani Rahmawati Sulistyo",
        phone="+6281377770001",
        account="7781234509",
        street="Jl. Kenanga Gang Tiga No. 7",
        postcode="60243",
        country=indonesia,
    )
    _individual(
        world.darto,
        nib="",
        ktp="3578022011750003",
        npwp="0918273645546372",
        owner="Sudarto Wibisono Hadi",
        phone="+6285266660002",
        account="0099887766",
        street="Jl. Ngagel Jaya Selatan Blok Z-19",
        postcode="60284",
        country=indonesia,
    )
    # and officials with NIPs, whose purchase names a contact, a phone and a delivery address
    for n, membership in enumerate(Membership.objects.all(), start=1):
        membership.nip = f"19800101200{n:03d}1001"[:18]
        membership.save(update_fields=["nip"])
    with django_capture_on_commit_callbacks(execute=True):
        bought = paid(world, items=[(world.beras, 10), (world.nasi, 20)])
    requisition = Requisition.objects.get(pk=bought.requisition.pk)

    # when everything published is gathered: each process's packages, the bulk file and the page
    published = []
    for order in selectors.official_orders():
        ocid = selectors.ocid_of(order)
        for name in ("opendata:release-package", "opendata:record-package"):
            published.append(client.get(reverse(name, kwargs={"ocid": ocid})).json())
    tasks.bulk_file_build.delay().get()
    published += ocds_schema.bulk_releases((selectors.bulk_dir() / selectors.BULK_FILE).read_bytes())
    text = json.dumps(published, ensure_ascii=False)
    page = client.get(reverse("opendata:index")).content.decode()

    # then no private value of a seller, official or purchase is in any of them
    secrets = []
    for seller in (world.ani, world.darto):
        secrets += [seller.ktp_number, seller.npwp, seller.owner_name, seller.phone]
        secrets += [seller.bank_account_number]
        secrets += [a.line1 for a in seller.addresses.all()] + [a.postcode for a in seller.addresses.all()]
    User = get_user_model()
    secrets += list(User.objects.values_list("email", flat=True))
    secrets += [u.get_full_name() for u in User.objects.exclude(first_name="")]
    secrets += list(Membership.objects.exclude(nip="").values_list("nip", flat=True))
    secrets += [requisition.contact_name, requisition.contact_phone, requisition.delivery_address]
    secrets += [requisition.contact_phone.replace("+62", "0")]
    secrets = [s for s in secrets if s]
    assert len(secrets) > 20
    for secret in secrets:
        assert secret not in text, secret
        assert secret not in page, secret
    # and no field named for such data exists, nor an address or contact of a seller
    keys = _keys(published)
    assert not [key for key in keys if any(word in key for word in FORBIDDEN_KEYS)]
    parties = [p for package in published for p in _parties(package)]
    sellers = [p for p in parties if "supplier" in p.get("roles", [])]
    assert sellers and all("address" not in p and "contactPoint" not in p for p in sellers)
    # and the sellers are known by the NIB, or an opaque Peken id without one, and their scale
    identifiers = {p["name"]: p["identifier"] for p in sellers}
    assert identifiers[world.ani.name] == {"scheme": "ID-NIB", "id": "9120001234567"}
    assert identifiers[world.darto.name]["scheme"] == "x_peken_penjual"
    assert {p["details"]["scale"] for p in sellers} == {"micro"}


def _parties(package: dict) -> list[dict]:
    """The parties of a release package, a record package (its compiled release) or a bare release."""
    if "releases" in package and "ocid" not in package:
        return [p for r in package["releases"] for p in r.get("parties", [])]
    if "records" in package:
        return [p for r in package["records"] for p in r["compiledRelease"].get("parties", [])]
    return package.get("parties", [])
