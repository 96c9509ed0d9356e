"""Agencies and their people: platform admins create agencies, agency admins assign roles."""

from decimal import Decimal

import pytest
from django.test import Client

from procurement import services
from procurement.models import Agency, ApprovalStep, AuditEntry, Membership
from procurement.statuses import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory, order_create, product_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, UnitFactory, person_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Dinas Kesehatan", code="dinkes")


@pytest.fixture
def admin_user(agency):
    return person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    assert client.login(username=admin_user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def platform_admin(db):
    return UserFactory(email="diskominfo@contoh.id", username="diskominfo", is_staff=True, is_superuser=True)


def test_agency_create_gives_the_default_approval_policy_and_an_audit_entry(platform_admin, settings):
    # given the approval limits of the settings
    settings.PEKEN_APPROVAL_PP_LIMIT = 200_000_000
    settings.PEKEN_APPROVAL_PA_THRESHOLD = 1_000_000_000
    # when a platform admin creates an agency
    agency = services.agency_create(
        name="Bappeda",
        code="bappeda",
        address="Jl. Pacar No. 8, Surabaya",
        kecamatan="Genteng",
        actor=platform_admin,
        ip="10.0.0.9",
    )
    # then it has PP for every amount, PPK above Rp200 juta and PA/KPA above Rp1 miliar
    steps = list(
        ApprovalStep.objects.filter(agency=agency).values_list("position", "role", "min_amount", "max_amount")
    )
    assert steps == [
        (1, Role.PROCUREMENT_OFFICIAL, Decimal(0), None),
        (2, Role.COMMITMENT_OFFICIAL, Decimal(200_000_000), None),
        (3, Role.BUDGET_HOLDER, Decimal(1_000_000_000), None),
    ]
    # and the creation is in the trail with who did it and from where
    entry = AuditEntry.objects.get(action="agency.create")
    assert (entry.actor, entry.ip, entry.object_id) == (platform_admin, "10.0.0.9", str(agency.pk))
    assert entry.after["name"] == "Bappeda"


def test_django_admin_creates_an_agency_through_the_service(platform_admin, client):
    # given a platform admin in Django's admin
    client.force_login(platform_admin)
    # when they add an agency on its add form
    response = client.post(
        "/admin/procurement/agency/add/",
        {
            "name": "Kecamatan Gubeng",
            "code": "kec-gubeng",
            "address": "Jl. Gubeng Kertajaya IX No. 55",
            "kecamatan": "Gubeng",
        },
    )
    # then it exists with its default approval policy and the audit entry
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(code="kec-gubeng")
    assert agency.approval_steps.count() == 3
    assert AuditEntry.objects.filter(
        action="agency.create", object_id=str(agency.pk), actor=platform_admin
    ).exists()


def test_django_admin_shows_the_audit_trail_read_only(platform_admin, client, agency, admin_user):
    # given an entry in the trail
    services.membership_grant(agency=agency, user=UserFactory(), role=Role.REQUESTER, actor=admin_user)
    entry = AuditEntry.objects.get()
    client.force_login(platform_admin)
    # when the platform admin browses it, then it is listed
    assert client.get("/admin/procurement/auditentry/").status_code == 200
    # but it cannot be added, changed or deleted
    assert client.get("/admin/procurement/auditentry/add/").status_code == 403
    url = f"/admin/procurement/auditentry/{entry.pk}"
    client.post(f"{url}/change/", {"action": "diubah"})
    assert client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "membership.grant"


def test_agency_admin_grants_a_role_by_email_once(agency, admin_client, admin_user):
    # given a colleague with a Peken account and a unit of the agency
    colleague = UserFactory(email="Rina.Wulandari@contoh.id", first_name="Rina", last_name="Wulandari")
    unit = UnitFactory(agency=agency, name="Bidang Pencegahan Penyakit")
    url = f"/pengadaan/opd/{agency.code}/anggota/"
    # when the admin grants her the PPK role in that unit (email typed in another case)
    response = admin_client.post(
        url, {"email": "rina.wulandari@contoh.id", "role": Role.COMMITMENT_OFFICIAL, "unit": unit.pk}
    )
    # then she holds it, the page says so, and the trail records it
    assert response.status_code == 302
    membership = Membership.objects.get(user=colleague, agency=agency)
    assert (membership.role, membership.unit) == (Role.COMMITMENT_OFFICIAL, unit)
    page = admin_client.get(url).content.decode()
    assert "Rina Wulandari kini memegang peran PPK" in page and "Bidang Pencegahan Penyakit" in page
    entry = AuditEntry.objects.get(action="membership.grant")
    assert entry.actor == admin_user and entry.after["role"] == Role.COMMITMENT_OFFICIAL
    # when it is granted again, then nothing is added
    admin_client.post(url, {"email": colleague.email, "role": Role.COMMITMENT_OFFICIAL, "unit": unit.pk})
    assert Membership.objects.filter(user=colleague).count() == 1
    assert AuditEntry.objects.filter(action="membership.grant").count() == 1


def test_granting_to_an_unknown_email_or_the_auditor_role_is_refused(agency, admin_client):
    url = f"/pengadaan/opd/{agency.code}/anggota/"
    # when the email has no account, then the form says to register first
    response = admin_client.post(url, {"email": "belum.daftar@contoh.id", "role": Role.REQUESTER})
    assert "Belum ada akun Peken dengan email belum.daftar@contoh.id" in response.content.decode()
    # when the city-wide auditor role or a unit of another agency is posted, then it is refused
    UserFactory(email="staf@contoh.id")
    admin_client.post(url, {"email": "staf@contoh.id", "role": Role.AUDITOR})
    other_unit = UnitFactory()
    response = admin_client.post(
        url, {"email": "staf@contoh.id", "role": Role.REQUESTER, "unit": other_unit.pk}
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user__email="staf@contoh.id").exists()


def test_revoking_a_role_and_never_the_last_agency_admin(agency, admin_client, admin_user):
    # given a requester and the agency's only admin
    requester = person_with_roles(agency=agency, roles=[Role.REQUESTER])
    role = Membership.objects.get(user=requester)
    own = Membership.objects.get(user=admin_user)
    # when the admin revokes the requester's role (after the confirmation page)
    confirm = admin_client.get(f"/pengadaan/opd/{agency.code}/anggota/{role.pk}/cabut/")
    assert "Cabut peran" in confirm.content.decode()
    admin_client.post(f"/pengadaan/opd/{agency.code}/anggota/{role.pk}/cabut/")
    # then it is gone and the trail holds its values before
    assert not Membership.objects.filter(pk=role.pk).exists()
    entry = AuditEntry.objects.get(action="membership.revoke")
    assert entry.before["role"] == Role.REQUESTER and entry.after is None
    # when the admin tries to revoke their own, last admin role, then it is refused with the reason
    response = admin_client.post(f"/pengadaan/opd/{agency.code}/anggota/{own.pk}/cabut/", follow=True)
    assert "Admin OPD terakhir tidak dapat dicabut" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    # and once a second admin exists, it can be revoked
    services.membership_grant(agency=agency, user=UserFactory(), role=Role.AGENCY_ADMIN, actor=admin_user)
    services.membership_revoke(membership=own, actor=admin_user)
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_another_agencys_role_is_not_found_from_this_agencys_pages(agency, admin_client):
    # given a role in another agency
    other = Membership.objects.get(user=person_with_roles(agency=AgencyFactory(), roles=[Role.REQUESTER]))
    # when this agency's admin aims its revoke page at it, then it is not found and stays
    assert admin_client.post(f"/pengadaan/opd/{agency.code}/anggota/{other.pk}/cabut/").status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_members_page_lists_roles_in_constant_queries(agency, admin_client, django_assert_max_num_queries):
    # given five people with roles and two units
    for n in range(5):
        person_with_roles(
            agency=agency,
            roles=[Role.REQUESTER, Role.TREASURER],
            unit=UnitFactory(agency=agency) if n < 2 else None,
        )
    url = f"/pengadaan/opd/{agency.code}/anggota/"
    admin_client.get(url)
    with django_assert_max_num_queries(18) as few:
        page = admin_client.get(url).content.decode()
    assert page.count("peken-role") == 11
    # when fifteen more people get roles, then the page costs no more queries
    for _n in range(15):
        person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], unit=UnitFactory(agency=agency))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).content.decode().count("peken-role") == 26


def test_agency_admin_pages_never_show_a_members_personal_orders(agency, admin_client):
    # given a requester of the agency who shops for herself with her own money
    member = person_with_roles(
        agency=agency, roles=[Role.REQUESTER, Role.PROCUREMENT_OFFICIAL], email="ani.pribadi@contoh.id"
    )
    product = product_create(title="Popok Bayi Pribadi Ukuran L", price=Decimal("87500"))
    order = order_create(user=member, lines=[(product.stockrecords.get(), 2)], number="PRIBADI-0424")
    line = BudgetLineFactory(agency=agency)
    # when the agency admin opens every page of the agency
    pages = [
        "",
        "anggota/",
        "anggaran/",
        f"anggaran/{line.pk}/ubah/",
        "anggaran/impor/",
        "persetujuan/",
        "anggaran/templat.csv",
    ]
    seen = ""
    for page in pages:
        response = admin_client.get(f"/pengadaan/opd/{agency.code}/{page}")
        assert response.status_code == 200, page
        seen += response.content.decode("utf-8-sig")
    # then the member is listed, but nothing of her personal order shows
    assert "ani.pribadi@contoh.id" in seen
    for secret in (order.number, "Popok Bayi Pribadi", "87.500", "175.000"):
        assert secret not in seen, secret


def test_people_pages_are_for_that_agencys_admin_only(agency, client):
    # given the agency's PA/KPA, another agency's admin and an auditor
    role = Membership.objects.get(user=person_with_roles(agency=agency, roles=[Role.REQUESTER]))
    outsiders = [
        person_with_roles(agency=agency, roles=[Role.BUDGET_HOLDER]),
        person_with_roles(agency=AgencyFactory(), roles=[Role.AGENCY_ADMIN]),
        person_with_roles(agency=None, roles=[Role.AUDITOR]),
    ]
    base = f"/pengadaan/opd/{agency.code}/"
    urls = [base, f"{base}anggota/", f"{base}anggota/{role.pk}/cabut/"]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in outsiders:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(urls[2]).status_code == 403
        assert client.post(urls[1], {"email": user.email, "role": Role.AGENCY_ADMIN}).status_code == 403
    assert Membership.objects.filter(pk=role.pk).exists()
    assert not Membership.objects.filter(agency=agency, role=Role.AGENCY_ADMIN).exists()


def test_admin_home_leads_to_the_agency_or_lists_several(agency, admin_client, admin_user, client):
    # given an admin of one agency, then /pengadaan/opd/ goes straight to it
    response = admin_client.get("/pengadaan/opd/")
    assert response.status_code == 302 and response["Location"] == f"/pengadaan/opd/{agency.code}/"
    # given they also administer a second agency, then both are listed
    second = AgencyFactory(name="Kecamatan Tegalsari", code="kec-tegalsari")
    Membership.objects.create(user=admin_user, agency=second, role=Role.AGENCY_ADMIN)
    page = admin_client.get("/pengadaan/opd/").content.decode()
    assert "Dinas Kesehatan" in page and "Kecamatan Tegalsari" in page
    # and someone without the role is refused
    client.force_login(UserFactory())
    assert client.get("/pengadaan/opd/").status_code == 403


def test_policy_page_names_who_holds_each_step_or_that_nobody_does(agency, admin_client, platform_admin):
    # given the default policy and one Pejabat Pengadaan only
    services.approval_policy_default(agency=agency, actor=platform_admin)
    person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="pp@contoh.id")
    # when the admin opens the policy page
    page = admin_client.get(f"/pengadaan/opd/{agency.code}/persetujuan/").content.decode()
    # then each step shows its range and the PPK step says nobody holds it
    assert "Semua nilai" in page and "Nilai di atas Rp200.000.000" in page and "Rp1.000.000.000" in page
    assert "pp@contoh.id" in page or "Siti Aminah" in page
    assert page.count("Belum ada pemegang peran ini") == 2


def test_django_admin_writes_units_roles_and_budget_lines_with_audit_entries(platform_admin, client, agency):
    # given a platform admin in Django's admin and a budget line of the agency
    client.force_login(platform_admin)
    line = BudgetLineFactory(agency=agency, ceiling=Decimal("5000000"), committed=Decimal("2000000"))
    auditor = UserFactory(email="inspektur@contoh.id")

    # when they add a unit and grant the city-wide auditor role
    response = client.post(
        "/admin/procurement/unit/add/", {"agency": agency.pk, "name": "UPTD Puskesmas Ketabang"}
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/admin/procurement/membership/add/", {"user": auditor.pk, "role": Role.AUDITOR}
        ).status_code
        == 302
    )
    # then both are in the trail
    assert AuditEntry.objects.get(action="unit.add").after["name"] == "UPTD Puskesmas Ketabang"
    assert AuditEntry.objects.get(action="membership.grant").after["role"] == Role.AUDITOR
    assert Membership.objects.filter(user=auditor, agency=None, role=Role.AUDITOR).exists()

    # when they lower a budget line's ceiling below what it has committed, then the form refuses it
    url = f"/admin/procurement/budgetline/{line.pk}/change/"
    data = {"description": line.description, "funding_source": line.funding_source}
    response = client.post(url, {**data, "ceiling": "1000000"})
    assert response.status_code == 200 and "Pagu paling kecil Rp2.000.000" in response.content.decode()
    # and a valid ceiling is saved through the service with its audit entry
    assert client.post(url, {**data, "ceiling": "6000000"}).status_code == 302
    line.refresh_from_db()
    assert line.ceiling == Decimal("6000000")
    assert AuditEntry.objects.get(action="budget_line.update").after == {"ceiling": "6000000"}


def test_every_procurement_admin_page_opens_for_a_platform_admin(platform_admin, client, agency, admin_user):
    # given one row of each procurement model
    services.approval_policy_default(agency=agency, actor=platform_admin)
    rows = {
        "agency": agency,
        "unit": UnitFactory(agency=agency),
        "budgetline": BudgetLineFactory(agency=agency),
        "membership": Membership.objects.get(user=admin_user),
        "approvalstep": agency.approval_steps.first(),
        "auditentry": AuditEntry.objects.first(),
    }
    client.force_login(platform_admin)
    # when each list and each row's page is opened, then it answers 200
    for name, row in rows.items():
        assert client.get(f"/admin/procurement/{name}/").status_code == 200, name
        assert client.get(f"/admin/procurement/{name}/{row.pk}/change/").status_code == 200, name


def test_agency_admin_adds_a_unit_then_grants_a_role_in_it(agency, admin_client, admin_user):
    url = f"/pengadaan/opd/{agency.code}/anggota/"
    # when the admin adds a unit on the members page
    response = admin_client.post(url, {"unit-name": "UPTD Puskesmas Ketabang"}, follow=True)
    # then it is listed, offered for roles, and in the trail
    page = response.content.decode()
    assert "Unit UPTD Puskesmas Ketabang ada di Dinas Kesehatan." in page
    assert page.count("UPTD Puskesmas Ketabang") >= 3  # message, unit list, role form's choices
    unit = agency.units.get(name="UPTD Puskesmas Ketabang")
    entry = AuditEntry.objects.get(action="unit.create")
    assert (entry.actor, entry.after["name"]) == (admin_user, "UPTD Puskesmas Ketabang")
    # when the same name is added again, then nothing new is created
    admin_client.post(url, {"unit-name": "UPTD Puskesmas Ketabang"})
    assert agency.units.count() == 1 and AuditEntry.objects.filter(action="unit.create").count() == 1
    # when the name is empty, then the unit form says so and the grant form shows no error
    page = admin_client.post(url, {"unit-name": ""}).content.decode()
    assert page.count("error-block") == 1
    # and a role can be granted in the new unit
    person = UserFactory(email="perawat@contoh.id")
    admin_client.post(url, {"email": person.email, "role": Role.REQUESTER, "unit": unit.pk})
    assert Membership.objects.get(user=person).unit == unit


def test_the_pa_kpa_and_treasurer_read_the_budget_and_policy_but_change_nothing(agency, client):
    # given the agency's budget line, its PA/KPA and treasurer, and another agency's PA/KPA
    from django.utils import timezone

    line = BudgetLineFactory(agency=agency, fiscal_year=timezone.localdate().year)
    readers = [
        person_with_roles(agency=agency, roles=[Role.BUDGET_HOLDER]),
        person_with_roles(agency=agency, roles=[Role.TREASURER]),
    ]
    stranger = person_with_roles(agency=AgencyFactory(), roles=[Role.BUDGET_HOLDER])
    base = f"/pengadaan/opd/{agency.code}/"

    for reader in readers:
        # when they open the agency pages from the header
        client.force_login(reader)
        home = client.get("/pengadaan/opd/")
        budget = client.get(f"{base}anggaran/")
        policy = client.get(f"{base}persetujuan/")

        # then they are sent to the budget, may read it and the policy, with no way to change them
        assert home.status_code == 302 and home["Location"] == f"{base}anggaran/"
        assert budget.status_code == policy.status_code == 200
        assert line.description in budget.content.decode()
        assert f"{base}anggaran/impor/" not in budget.content.decode()
        assert "/ubah/" not in budget.content.decode()
        for url in (base, f"{base}anggota/", f"{base}anggaran/impor/"):
            assert client.get(url).status_code == 403, (reader, url)

    # and another agency's PA/KPA reads nothing of this one
    client.force_login(stranger)
    assert client.get(f"{base}anggaran/").status_code == 403
