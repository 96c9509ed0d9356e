"""Budget lines: the SIPD-style CSV import, editing a line, and the agency admin's pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from procurement import services
from procurement.budget_csv import budget_csv_parse
from procurement.models import AuditEntry, BudgetLine
from procurement.statuses import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles

pytestmark = pytest.mark.django_db
YEAR = 2026
HEADER = "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu"
SUB = "1.02.02.2.02.0001 Pengelolaan Pelayanan Kesehatan Ibu Hamil"
S = "1.02.02.2.02.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil"  # the sub-activity's two cells


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


GOOD = csv_bytes(
    f"{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;15.000.000",
    f"{S};5.1.02.01.01.0024;Belanja Alat Tulis Kantor;PAD;Rp 7.500.000,00",
    "1.02.02.2.02.0003;Pelaksanaan Kewaspadaan Dini;5.1.02.01.01.0026;Belanja Bahan Cetak;;2500000",
)


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


def test_a_good_file_creates_every_line_with_its_audit_entry(agency, admin_user):
    # given an agency without budget lines and a SIPD-style file (BOM, semicolons, 1.500.000 and ,00)
    # when it is imported for 2026
    result = services.budget_lines_import(
        agency=agency, fiscal_year=YEAR, file=GOOD, actor=admin_user, ip="10.1.2.3", file_name="dpa-2026.csv"
    )

    # then three lines exist with their ceilings in whole rupiah and nothing committed
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    lines = {line.account_code: line for line in BudgetLine.objects.filter(agency=agency, fiscal_year=YEAR)}
    assert lines["5.1.02.01.01.0052"].ceiling == Decimal("15000000")
    assert lines["5.1.02.01.01.0052"].sub_activity == SUB
    assert lines["5.1.02.01.01.0024"].ceiling == Decimal("7500000")
    assert lines["5.1.02.01.01.0026"].funding_source == ""
    assert lines["5.1.02.01.01.0026"].available == Decimal("2500000")
    # and each creation is in the audit trail with its values, plus one entry for the import
    created = AuditEntry.objects.filter(action="budget_line.create").order_by("seq")
    assert created.count() == 3
    assert created[0].after["ceiling"] == "15000000" and created[0].actor == admin_user
    assert created[0].ip == "10.1.2.3"
    summary = AuditEntry.objects.get(action="budget_lines.import")
    assert summary.after == {
        "fiscal_year": YEAR,
        "file": "dpa-2026.csv",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_commas_and_plain_utf8_without_bom_are_read_too(agency, admin_user):
    # given a comma-separated file without BOM, with the pagu in a quoted "1.500.000"
    content = csv_bytes(
        '1.01.01.2.01.0001,Penyusunan Dokumen Perencanaan,5.1.02.01.01.0024,"ATK, kertas",PAD,"1.500.000"',
        header=HEADER.replace(";", ","),
        bom=False,
    )
    # when imported, then the line is created with the comma inside its quoted uraian
    result = services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=content, actor=admin_user)
    assert result.ok and result.created == 1
    line = BudgetLine.objects.get(agency=agency)
    assert (line.description, line.ceiling) == ("ATK, kertas", Decimal("1500000"))


def test_a_file_with_bad_rows_reports_each_line_and_applies_nothing(agency, admin_user):
    # given an existing line and a file whose good rows are mixed with bad ones
    existing = BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        ceiling=Decimal("1000000"),
    )
    content = csv_bytes(
        f"{S};5.1.02.01.01.0052;Makan minum;DAU;9.000.000",
        f"{S};5.1.2.01.01.52;ATK;PAD;1.000.000",
        f"{S};5.1.02.01.01.0026;;PAD;1.000.000",
        f"{S};5.1.02.01.01.0027;Cetak;PAD;satu juta",
        f"{S};5.1.02.01.01.0028;Spanduk;PAD;-50.000",
        f"{S};5.1.02.01.01.0052;Lagi;DAU;1.000.000",
        f"{S};5.1.02.01.01.0029",
    )

    # when it is imported
    result = services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=content, actor=admin_user)

    # then every bad row is reported with its line number (the header is line 1), in Indonesian
    errors = dict(result.errors)
    assert not result.ok and sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "Kode rekening \u201c5.1.2.01.01.52\u201d tidak sah" in errors[3]
    assert "Uraian kosong" in errors[4]
    assert "Pagu \u201csatu juta\u201d bukan bilangan bulat rupiah" in errors[5]
    assert "Pagu tidak boleh negatif" in errors[6]
    assert "sudah ada di baris 2" in errors[7]
    assert "Jumlah kolom kurang" in errors[8]
    # and nothing is applied: not even the good row 2, and nothing is audited
    existing.refresh_from_db()
    assert existing.ceiling == Decimal("1000000")
    assert existing.description == "Belanja Makanan dan Minuman Rapat"
    assert BudgetLine.objects.filter(agency=agency).count() == 1
    assert not AuditEntry.objects.exists()


def test_a_file_lowering_a_ceiling_below_what_a_line_has_spent_is_refused_whole(agency, admin_user):
    # given a line with Rp6 juta committed and Rp3 juta realised
    line = BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        ceiling=Decimal("20000000"),
        committed=Decimal("6000000"),
        realised=Decimal("3000000"),
    )
    content = csv_bytes(
        f"{S};5.1.02.01.01.0024;ATK;PAD;1.000.000",
        f"{S};5.1.02.01.01.0052;Makan minum;DAU;8.999.999",
    )
    # when a file sets its pagu to Rp8.999.999
    result = services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=content, actor=admin_user)
    # then line 3 is reported with the amount already spent, and the new line 2 is not created either
    assert result.errors == [
        (
            3,
            "Pagu Rp8.999.999 lebih kecil dari yang sudah terikat dan terealisasi pada "
            "baris anggaran ini (Rp9.000.000).",
        )
    ]
    assert BudgetLine.objects.filter(agency=agency).count() == 1
    line.refresh_from_db()
    assert line.ceiling == Decimal("20000000")


def test_an_existing_line_is_updated_matched_on_sub_activity_and_account_code(agency, admin_user):
    # given three lines: one the file changes, one it repeats as is, one it does not mention,
    # and a line of another year and one of another agency with the same codes
    changed = BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        description="Makan minum",
        funding_source="PAD",
        ceiling=Decimal("10000000"),
        committed=Decimal("4000000"),
    )
    same = BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0024",
        description="Belanja Alat Tulis Kantor",
        funding_source="PAD",
        ceiling=Decimal("7500000"),
    )
    untouched = BudgetLineFactory(
        agency=agency, fiscal_year=YEAR, account_code="5.1.02.01.01.0099", ceiling=Decimal("1000000")
    )
    last_year = BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR - 1,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        ceiling=Decimal("5000000"),
    )
    other = BudgetLineFactory(
        agency=AgencyFactory(),
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        ceiling=Decimal("5000000"),
    )

    # when the file raises the first line's pagu and renames it
    content = csv_bytes(
        f"{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;12.000.000",
        f"{S};5.1.02.01.01.0024;Belanja Alat Tulis Kantor;PAD;7.500.000",
    )
    result = services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=content, actor=admin_user)

    # then it is updated in place (commitment kept), the repeated line unchanged, the rest untouched
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    changed.refresh_from_db()
    assert (changed.description, changed.funding_source, changed.ceiling, changed.committed) == (
        "Belanja Makanan dan Minuman Rapat",
        "DAU",
        Decimal("12000000"),
        Decimal("4000000"),
    )
    assert changed.available == Decimal("8000000")
    for line in (same, untouched, last_year, other):
        before = line.ceiling
        line.refresh_from_db()
        assert line.ceiling == before
    assert BudgetLine.objects.count() == 5
    # and the audit entry holds only what changed, before and after
    entry = AuditEntry.objects.get(action="budget_line.update")
    assert entry.object_id == str(changed.pk)
    assert entry.before == {"description": "Makan minum", "funding_source": "PAD", "ceiling": "10000000"}
    assert entry.after == {
        "description": "Belanja Makanan dan Minuman Rapat",
        "funding_source": "DAU",
        "ceiling": "12000000",
    }


def test_parser_refuses_a_file_that_is_not_utf8_or_lacks_columns():
    # given a Latin-1 file and one without the pagu column
    latin1 = HEADER + "\r\n;Perjalanan Dinas Luar Daerah;5.1.02.04.01.0001;Uang harian;PAD;1.000\r\n"
    # when parsed, then each is refused as a whole (line 0 or the header's line 1)
    assert budget_csv_parse(latin1.replace("Uang", "Uang\u00e9").encode("latin-1"))[1][0][0] == 0
    rows, errors = budget_csv_parse(b"nama_sub_kegiatan;kode_rekening;uraian\nA;5.1.02.01.01.0052;B\n")
    assert rows == [] and errors[0][0] == 1 and "pagu" in errors[0][1]
    # and a row without the optional sub-activity code is stored under its name alone
    rows, errors = budget_csv_parse(latin1.encode("utf-8"))
    assert errors == [] and rows[0].sub_activity == "Perjalanan Dinas Luar Daerah"
    assert rows[0].ceiling == Decimal("1000")


def test_budget_line_update_refuses_a_ceiling_below_committed_plus_realised(agency, admin_user):
    # given a line with Rp2 juta committed and Rp1 juta realised
    line = BudgetLineFactory(
        agency=agency, ceiling=Decimal("5000000"), committed=Decimal("2000000"), realised=Decimal("1000000")
    )
    # when the ceiling is lowered to Rp2.999.999, then it is refused with the minimum named
    with pytest.raises(services.BudgetLineRefused, match="Pagu paling kecil Rp3.000.000"):
        services.budget_line_update(line=line, actor=admin_user, changes={"ceiling": Decimal("2999999")})
    # and to exactly Rp3 juta it is accepted, with before and after in the trail
    services.budget_line_update(
        line=line, actor=admin_user, changes={"ceiling": Decimal("3000000"), "description": line.description}
    )
    line.refresh_from_db()
    assert line.ceiling == Decimal("3000000") and line.available == 0
    entry = AuditEntry.objects.get(action="budget_line.update")
    assert (entry.before, entry.after) == ({"ceiling": "5000000"}, {"ceiling": "3000000"})
    # and fields a DPA fixes cannot be changed here
    with pytest.raises(ValueError):
        services.budget_line_update(
            line=line, actor=admin_user, changes={"account_code": "5.1.02.01.01.0001"}
        )


def test_budget_page_shows_each_line_figures_in_constant_queries(
    agency, admin_client, django_assert_max_num_queries
):
    # given two lines of 2026, one partly committed and realised
    BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0052",
        ceiling=Decimal("15000000"),
        committed=Decimal("2500000"),
        realised=Decimal("1000000"),
    )
    BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity=SUB,
        account_code="5.1.02.01.01.0024",
        ceiling=Decimal("7500000"),
    )
    url = f"/pengadaan/opd/{agency.code}/anggaran/?tahun={YEAR}"

    # when the agency admin opens the budget page
    admin_client.get(url)  # warm the session and caches
    # (the layout's header - session, user, basket, notifications, roles - costs about ten of these)
    with django_assert_max_num_queries(16) as few:
        response = admin_client.get(url)
    # then each line shows ceiling, committed, realised and available, and the year's totals
    page = response.content.decode()
    assert response.status_code == 200
    for figure in (
        "Rp15.000.000",
        "Rp2.500.000",
        "Rp1.000.000",
        "Rp11.500.000",
        "Rp7.500.000",
        "Rp22.500.000",
        "Rp19.000.000",
    ):
        assert figure in page, figure

    # and twenty more lines cost no more queries
    for n in range(20):
        BudgetLineFactory(agency=agency, fiscal_year=YEAR, account_code=f"5.1.02.01.01.{n + 100:04d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).content.decode().count("peken-available") == 22


def test_editing_a_line_on_its_page_refuses_a_ceiling_below_what_is_spent(agency, admin_client):
    # given a line with Rp4 juta committed
    line = BudgetLineFactory(agency=agency, ceiling=Decimal("10000000"), committed=Decimal("4000000"))
    url = f"/pengadaan/opd/{agency.code}/anggaran/{line.pk}/ubah/"
    # when the admin sets the ceiling to 3.000.000, then the form says why and nothing changes
    response = admin_client.post(
        url, {"description": line.description, "funding_source": "DAU", "ceiling": "3.000.000"}
    )
    assert response.status_code == 200
    assert "Pagu paling kecil Rp4.000.000" in response.content.decode()
    line.refresh_from_db()
    assert line.ceiling == Decimal("10000000") and line.funding_source == "PAD"
    # when it is set to 12.500.000, then it is saved and the page goes back to the budget
    response = admin_client.post(
        url, {"description": "Makan minum rapat koordinasi", "funding_source": "DAU", "ceiling": "12.500.000"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.ceiling, line.funding_source, line.description) == (
        Decimal("12500000"),
        "DAU",
        "Makan minum rapat koordinasi",
    )


def test_import_page_lists_bad_rows_and_applies_a_good_file(agency, admin_client):
    # given the import page, which documents the layout
    url = f"/pengadaan/opd/{agency.code}/anggaran/impor/"
    page = admin_client.get(url).content.decode()
    assert "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu" in page
    # when a file with a bad row is uploaded, then the row is listed and nothing is created
    bad = csv_bytes("1.02.02.2.02.0001;Rapat;5.1.02.01.01.52;Makan;DAU;1.000.000")
    response = admin_client.post(url, {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa.csv", bad)})
    assert "Baris 2" in response.content.decode() and "tidak sah" in response.content.decode()
    assert not BudgetLine.objects.exists()
    # when the good file is uploaded, then its lines exist and the budget page of that year follows
    response = admin_client.post(url, {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa.csv", GOOD)})
    assert response.status_code == 302 and response["Location"].endswith(f"?tahun={YEAR}")
    assert BudgetLine.objects.filter(agency=agency, fiscal_year=YEAR).count() == 3


def test_the_template_is_the_agencys_lines_and_imports_back_unchanged(agency, admin_client, admin_user):
    # given lines created from the good file
    services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=GOOD, actor=admin_user)
    # when the template of that year is downloaded
    response = admin_client.get(f"/pengadaan/opd/{agency.code}/anggaran/templat.csv?tahun={YEAR}")
    body = response.content
    assert response["Content-Type"].startswith("text/csv")
    assert body.decode("utf-8-sig").splitlines()[0] == HEADER
    assert "5.1.02.01.01.0052" in body.decode("utf-8-sig") and "15.000.000" in body.decode("utf-8-sig")
    # then importing it back changes nothing
    result = services.budget_lines_import(agency=agency, fiscal_year=YEAR, file=body, actor=admin_user)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)


def test_budget_pages_are_for_that_agencys_admin_only(agency, client):
    # given a line of the agency, its requester, and the admin of another agency
    line = BudgetLineFactory(agency=agency)
    requester = person_with_roles(agency=agency, roles=[Role.REQUESTER, Role.PROCUREMENT_OFFICIAL])
    other_admin = person_with_roles(agency=AgencyFactory(), roles=[Role.AGENCY_ADMIN])
    base = f"/pengadaan/opd/{agency.code}/anggaran/"
    urls = [base, f"{base}{line.pk}/ubah/", f"{base}impor/", f"{base}templat.csv"]
    # when an anonymous visitor asks, then they are sent to sign in
    for url in urls:
        assert client.get(url).status_code == 302
    # when the requester or the other agency's admin asks, then it is forbidden and the line unchanged
    for user in (requester, other_admin, UserFactory()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        response = client.post(urls[1], {"description": "x", "funding_source": "x", "ceiling": "1"})
        assert response.status_code == 403
    line.refresh_from_db()
    assert line.ceiling == Decimal("100000000")
