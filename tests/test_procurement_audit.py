"""The audit trail is chained by a keyed hash, append-only, cannot be emptied, and tampering is named.

The database refuses UPDATE, DELETE and TRUNCATE of an entry (triggers); the tampering
tests switch the row trigger off inside their own transaction, as a DBA with the table's
owner rights could, to show that ``audit_verify`` still names the broken entry, and forge
entries without the key to show they do not verify.
"""

import hashlib
import logging
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from procurement.audit import (
    GENESIS,
    SEAL_ACTION,
    Head,
    audit_chain_check,
    audit_entries_check,
    audit_legacy_seal,
    audit_record,
    audit_verify,
    entry_hash,
)
from procurement.audit_watch import audit_chain_watch
from procurement.models import AuditEntry, AuditHead, AuditScheme, Membership
from procurement.services import approval_policy_default, delegation_create, requisition_decide
from procurement.statuses import Decision, RequisitionStatus, Role
from tests.factories import PartnerFactory, UserFactory
from tests.procurement_factories import (
    AgencyFactory,
    BudgetLineFactory,
    RequisitionFactory,
    RequisitionLineFactory,
    person_with_roles,
)

pytestmark = pytest.mark.django_db


def _record_many(count: int, *, actor=None, requisition=None):
    line = BudgetLineFactory()
    actor = actor or UserFactory()
    for n in range(count):
        audit_record(
            actor=actor,
            action="budget_line.update",
            obj=line,
            requisition=requisition,
            before={"ceiling": Decimal(1_000_000 + n)},
            after={"ceiling": Decimal(1_000_001 + n)},
            ip="10.1.2.3",
        )
    return line


def _trigger_off():
    with connection.cursor() as cursor:
        # the test's deferred foreign-key checks must fire first, or PostgreSQL refuses the ALTER
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE procurement_auditentry DISABLE TRIGGER auditentry_append_only")


def _sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_long_chain_verifies_and_each_entry_links_to_the_one_before():
    # given 120 recorded changes
    _record_many(120)
    # when the chain is walked
    report = audit_chain_check()
    # then every entry fits, numbered 1..120, each pointing at the one before
    assert report.intact and report.count == 120
    assert audit_verify() is None
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 121))
    assert entries[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))


def test_money_acting_for_ipv6_and_requisition_are_hashed_as_they_are_read_back():
    # given an entry with Decimal money, a delegate acting for someone and a long-form IPv6 address
    requisition = RequisitionFactory()
    approver, delegate = UserFactory(), UserFactory()
    entry = audit_record(
        actor=delegate,
        acting_for=approver,
        action="requisition.approve",
        obj=requisition,
        requisition=requisition,
        before={"status": "diajukan", "total": Decimal("1500000")},
        after={"status": "disetujui", "total": Decimal("1500000.00")},
        ip="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    # then it reads back as it was hashed
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.ip == "2001:db8::1"
    assert stored.before["total"] == "1500000" and stored.acting_for == approver
    assert audit_chain_check().intact


def test_the_database_refuses_to_update_or_delete_an_entry_even_through_the_orm():
    # given a recorded entry
    _record_many(2)
    entry = AuditEntry.objects.get(seq=1)
    # when the ORM tries to edit or delete it, then the trigger refuses
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="dihapus")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.after = {"ceiling": "1"}
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()
    # and the chain is as it was
    assert AuditEntry.objects.count() == 2 and audit_chain_check().intact


def test_an_edited_after_value_is_named_by_its_entry():
    # given a chain of 10 and a DBA who switched the trigger off and raised one ceiling
    _record_many(10)
    _trigger_off()
    _sql('UPDATE procurement_auditentry SET after = \'{"ceiling": "99000000"}\' WHERE seq = 6')
    # when the chain is verified
    report = audit_chain_check()
    # then entry 6 is named, as edited, and the five before it still fit
    assert report.broken.entry.seq == 6 and report.broken.reason == "content"
    assert report.count == 5
    assert audit_verify().seq == 6


def test_an_edited_before_value_or_actor_is_detected():
    _record_many(4)
    _trigger_off()
    _sql("UPDATE procurement_auditentry SET before = NULL WHERE seq = 3")
    assert audit_verify().seq == 3
    _sql("UPDATE procurement_auditentry SET actor_id = %s WHERE seq = 2", [UserFactory().pk])
    assert audit_verify().seq == 2


def test_an_edit_that_also_recomputes_the_hash_breaks_the_link_of_the_next_entry():
    # given a tamperer who edits entry 4 and recomputes its own hash
    _record_many(6)
    _trigger_off()

    entry = AuditEntry.objects.get(seq=4)
    entry.after = {"ceiling": "1"}
    _sql(
        'UPDATE procurement_auditentry SET after = \'{"ceiling": "1"}\', hash = %s WHERE seq = 4',
        [entry_hash(entry, entry.prev_hash)],
    )
    # then entry 5 no longer links to it
    report = audit_chain_check()
    assert report.broken.entry.seq == 5 and report.broken.reason == "link"


def test_a_deleted_entry_is_named_by_the_gap_it_leaves():
    # given a chain of 8 with entry 5 deleted by hand
    _record_many(8)
    _trigger_off()
    _sql("DELETE FROM procurement_auditentry WHERE seq = 5")
    # when verified, then the entry after the gap is named, with what is missing
    report = audit_chain_check()
    assert report.broken.entry.seq == 6 and report.broken.reason == "missing"
    assert report.broken.expected_seq == 5 and report.count == 4


def test_two_swapped_entries_are_detected():
    # given entries 3 and 4 swapped in place (their seq numbers exchanged)
    _record_many(6)
    _trigger_off()
    _sql("UPDATE procurement_auditentry SET seq = -3 WHERE seq = 3")
    _sql("UPDATE procurement_auditentry SET seq = 3 WHERE seq = 4")
    _sql("UPDATE procurement_auditentry SET seq = 4 WHERE seq = -3")
    # then the entry now at 3 does not link to entry 2
    report = audit_chain_check()
    assert report.broken.entry.seq == 3 and report.broken.reason in {"link", "content"}


def test_a_requisitions_entries_are_checked_against_their_neighbours():
    # given a requisition whose 3 entries sit among others, and one of them edited
    requisition = RequisitionFactory()
    _record_many(2)
    _record_many(3, requisition=requisition)
    _record_many(2)
    mine = list(AuditEntry.objects.filter(requisition=requisition))
    assert audit_entries_check(mine) == []
    _trigger_off()
    _sql("UPDATE procurement_auditentry SET before = '{}' WHERE seq = %s", [mine[1].seq])
    mine = list(AuditEntry.objects.filter(requisition=requisition))
    assert [e.seq for e in audit_entries_check(mine)] == [mine[1].seq]


def test_the_command_says_the_chain_is_whole(capsys):
    _record_many(7)
    call_command("audit_verify")
    assert "Rantai audit utuh: 7 entri" in capsys.readouterr().out


def test_the_command_names_the_first_broken_entry_and_exits_non_zero(capsys, monkeypatch):
    # given a chain with entry 3 edited and entry 6 deleted
    AgencyFactory()
    _record_many(7)
    _trigger_off()
    _sql("UPDATE procurement_auditentry SET action = 'budget_line.nothing' WHERE seq = 3")
    _sql("DELETE FROM procurement_auditentry WHERE seq = 6")
    # when run as from the shell (which would close the test's connection on the way out)
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    # nor set logging up again onto pytest's captured stderr, which is closed after this test
    monkeypatch.setattr("django.setup", lambda *args, **kwargs: None)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "audit_verify"])
    # then it exits non-zero, naming entry 3, its time, action and object
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    line = AuditEntry.objects.get(seq=3)
    assert "#3" in err and "budget_line.nothing" in err and f"procurement.budgetline:{line.object_id}" in err
    assert "WIB" in err or "+07" in err
    with pytest.raises(CommandError, match="#3"):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_raises():
    line = BudgetLineFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="budget_line.update", obj=line)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_threads_recording_at_once_leave_a_gap_free_valid_chain():
    # given ten people changing things at the same moment, 5 entries each
    line = BudgetLineFactory()
    users = [UserFactory() for _ in range(10)]
    start = threading.Barrier(10)
    errors = []

    def work(user):
        try:
            start.wait()
            for n in range(5):
                with transaction.atomic():
                    audit_record(
                        actor=user, action="budget_line.update", obj=line, before={"n": n}, after={"n": n + 1}
                    )
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then all 50 entries are there, numbered without gaps, and the chain verifies
    assert not errors
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 51))
    assert audit_chain_check().count == 50 and audit_verify() is None
    assert AuditEntry.objects.values("prev_hash").distinct().count() == 50


# --- the auditor's pages ---


def _agency_with_people(name: str, code: str):
    agency = AgencyFactory(name=name, code=code)
    approval_policy_default(agency=agency, actor=None)
    people = {
        role: person_with_roles(agency=agency, roles=[role], email=f"{code}-{role}@pemkot.contoh.id")
        for role in (
            Role.REQUESTER,
            Role.PROCUREMENT_OFFICIAL,
            Role.COMMITMENT_OFFICIAL,
            Role.BUDGET_HOLDER,
            Role.AGENCY_ADMIN,
        )
    }
    return agency, people


def _requisition(agency, requester, reference: str, **fields):
    requisition = RequisitionFactory(
        agency=agency, requester=requester, reference=reference, total=Decimal("250000"), **fields
    )
    RequisitionLineFactory(
        requisition=requisition, title="Nasi Kotak Ayam Bakar", quantity=10, unit_price=Decimal("25000")
    )
    return requisition


@pytest.fixture
def auditor(db):
    return person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id")


@pytest.fixture
def trail(db):
    """Dinas Kesehatan's requisition returned by a delegate acting for the Pejabat Pengadaan."""
    agency, people = _agency_with_people("Dinas Kesehatan", "dinkes")
    pp, delegate = people[Role.PROCUREMENT_OFFICIAL], UserFactory(first_name="Bagus", last_name="Santoso")
    pp.first_name, pp.last_name = "Rina", "Wulandari"
    pp.save()

    Membership.objects.create(user=delegate, agency=agency, role=Role.TREASURER)
    requisition = _requisition(
        agency, people[Role.REQUESTER], "PGD-DINKES-0001", purpose="Konsumsi rapat posyandu balita"
    )
    today = timezone.localdate()
    delegation_create(
        agency=agency,
        delegator=pp,
        delegate=delegate,
        role=Role.PROCUREMENT_OFFICIAL,
        start=today,
        end=today + timedelta(days=3),
        actor=pp,
        ip="10.20.30.40",
    )
    requisition_decide(
        requisition=requisition,
        user=delegate,
        decision=Decision.RETURN,
        comment="Lengkapi jumlah peserta",
        ip="10.20.30.41",
    )
    return {"agency": agency, "people": people, "requisition": requisition, "pp": pp, "delegate": delegate}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_auditor_reads_a_requisitions_full_history(auditor, trail):
    # given a requisition returned by a delegate acting for the Pejabat Pengadaan

    entry = AuditEntry.objects.get(requisition=trail["requisition"])
    # when the auditor opens its history
    response = _client(auditor).get(reverse("procurement:audit-detail", args=["PGD-DINKES-0001"]))
    # then each entry shows who acted for whom, from where, when (Jakarta time) and what changed
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bagus Santoso atas nama Rina Wulandari" in body
    assert "IP 10.20.30.41" in body
    local = timezone.localtime(entry.date_created, timezone.get_fixed_timezone(7 * 60))
    assert f"{local:%H:%M:%S} WIB" in body
    assert "Dikembalikan untuk revisi" in body and "Menunggu persetujuan" in body
    assert "Lengkapi jumlah peserta" in body
    # and its lines, its decision and an intact chain
    assert "Nasi Kotak Ayam Bakar" in body and "Konsumsi rapat posyandu balita" in body
    assert 'data-chain="utuh"' in body
    # and nothing can be changed from it: the only form that posts is the layout's language switch
    posting = re.findall(r'<form[^>]*action="([^"]*)"[^>]*method="post"', body)
    assert posting == [reverse("set_language")]


def test_the_history_page_names_an_entry_edited_behind_the_applications_back(auditor, trail):
    entry = AuditEntry.objects.get(requisition=trail["requisition"])
    _trigger_off()
    _sql(
        "UPDATE procurement_auditentry SET after = jsonb_set(after, '{comment}', '\"Disetujui\"') "
        "WHERE seq = %s",
        [entry.seq],
    )
    url = reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])
    body = _client(auditor).get(url).content.decode()
    assert 'data-chain="rusak"' in body and f"Entri #{entry.seq} tidak cocok" in body


def test_auditor_pages_take_no_post(auditor, trail):
    client = _client(auditor)
    assert client.post(reverse("procurement:audit-list")).status_code == 405
    assert client.post(reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])).status_code == 405


def test_the_list_filters_by_agency_and_status_in_a_constant_number_of_queries(
    auditor, trail, django_assert_max_num_queries
):
    # given a second agency with requisitions of its own
    other, people = _agency_with_people("Dinas Pendidikan", "dispendik")
    for n in range(3):
        _requisition(other, people[Role.REQUESTER], f"PGD-DISPENDIK-{n:04d}")
    client = _client(auditor)
    url = reverse("procurement:audit-list")
    # when the auditor lists everything, then both agencies' requisitions show
    body = client.get(url).content.decode()
    assert "PGD-DINKES-0001" in body and "PGD-DISPENDIK-0002" in body
    # when filtered by agency or by status, then only those
    body = client.get(url, {"opd": other.pk}).content.decode()
    assert "PGD-DINKES-0001" not in body and "PGD-DISPENDIK-0000" in body
    body = client.get(url, {"status": RequisitionStatus.RETURNED}).content.decode()
    assert "PGD-DINKES-0001" in body and "PGD-DISPENDIK-0000" not in body
    # and the number of queries does not grow with the rows (25 a page)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for n in range(3, 40):
        _requisition(other, people[Role.REQUESTER], f"PGD-DISPENDIK-{n:04d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.num_pages == 2
    assert "PGD-DISPENDIK-0039" in response.content.decode()


def test_a_budget_holder_reads_only_their_own_agencys_histories(trail):
    other, people = _agency_with_people("Dinas Pendidikan", "dispendik")
    _requisition(other, people[Role.REQUESTER], "PGD-DISPENDIK-0001")
    client = _client(trail["people"][Role.BUDGET_HOLDER])
    body = client.get(reverse("procurement:audit-list")).content.decode()
    assert "PGD-DINKES-0001" in body and "PGD-DISPENDIK-0001" not in body
    assert client.get(reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])).status_code == 200
    assert client.get(reverse("procurement:audit-detail", args=["PGD-DISPENDIK-0001"])).status_code == 404
    # and a requester of the agency is not an auditor of it
    assert _client(trail["people"][Role.REQUESTER]).get(reverse("procurement:audit-list")).status_code == 403


def test_the_header_shows_an_audit_link_to_auditors_only(auditor, trail):
    link = f'href="{reverse("procurement:audit-list")}"'
    assert link in _client(auditor).get(reverse("procurement:mine")).content.decode()
    requester = _client(trail["people"][Role.REQUESTER])
    assert link not in requester.get(reverse("procurement:mine")).content.decode()


def test_an_official_orders_moves_join_its_requisitions_trail_and_personal_orders_do_not(trail):
    from orders.services import order_status_change
    from orders.statuses import OrderStatus, Party
    from tests.factories import order_create, product_create, seller_create

    # given an approved requisition's official order (no buyer) and a personal order of the same shop
    requisition = trail["requisition"]
    requisition.checkout_reference = requisition.reference
    requisition.save(update_fields=["checkout_reference"])
    shop = seller_create(name="Katering Bu Rini", email="rini@contoh.id")
    record = product_create(title="Nasi Kotak", partner=shop).stockrecords.get()
    official = order_create(user=None, lines=[(record, 10)], number="PKN-DINAS-1")
    personal = order_create(user=UserFactory(), lines=[(record, 1)], number="PKN-PRIBADI-1")
    type(official).objects.filter(pk=official.pk).update(checkout_reference=requisition.reference)
    type(personal).objects.filter(pk=personal.pk).update(checkout_reference="CHK-PRIBADI")
    seller = shop.users.get()
    # when the seller accepts both
    for order in (official, personal):
        order.refresh_from_db()
        order_status_change(order=order, actor=seller, party=Party.SELLER, status=OrderStatus.ACCEPTED)
    # then only the official order's move is in the chain, under its requisition
    entries = AuditEntry.objects.filter(action="order.status")
    assert [(e.requisition_id, e.after["order"], e.before["status"], e.after["status"]) for e in entries] == [
        (requisition.pk, "PKN-DINAS-1", OrderStatus.NEW, OrderStatus.ACCEPTED)
    ]
    assert entries[0].actor == seller and audit_chain_check().intact


def test_the_history_page_costs_the_same_queries_for_3_or_30_entries(
    auditor, trail, django_assert_max_num_queries
):
    # given a requisition with a few entries, then with many more
    client = _client(auditor)
    url = reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    _record_many(30, actor=trail["delegate"], requisition=trail["requisition"])
    # when read again, then it takes no more queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["entries"]) == 31 and not response.context["broken"]


def test_entries_cut_from_the_end_are_caught_by_an_anchor_noted_earlier(capsys):
    # given a chain of 9 whose head the Inspektorat noted from the command's output
    _record_many(9)
    call_command("audit_verify")
    out = capsys.readouterr().out
    anchor = re.search(r"Ujung rantai: (\d+:[0-9a-f]{64})", out).group(1)
    assert anchor.startswith("9:")
    call_command("audit_verify", heads=[anchor])
    # when the newest three entries are deleted (no gap is left behind)
    _trigger_off()
    _sql("DELETE FROM procurement_auditentry WHERE seq > 6")
    assert audit_chain_check().intact
    # then the anchor shows they were cut off
    with pytest.raises(CommandError, match="#7 sampai #9"):
        call_command("audit_verify", heads=[anchor])
    # and a chain rebuilt up to an anchor has another hash there; a malformed anchor is refused
    with pytest.raises(CommandError, match="hash entri #6 tidak sama"):
        call_command("audit_verify", heads=["6:" + "0" * 64])
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit_verify", heads=["9:xyz"])


def test_the_whole_trail_shows_budget_role_and_delegation_changes_to_auditors_only(
    auditor, trail, django_assert_max_num_queries
):
    # given budget line changes besides the requisition's decision and the delegation
    line = _record_many(3, actor=trail["pp"])
    client = _client(auditor)
    url = reverse("procurement:audit-trail")
    # when the auditor reads the whole trail, then every kind of change is there, newest first
    response = client.get(url)
    body = response.content.decode()
    assert [e.seq for e in response.context["entries"]] == sorted(
        AuditEntry.objects.values_list("seq", flat=True), reverse=True
    )
    for label in ("Mendelegasikan peran", "Mengubah baris anggaran", "Mengembalikan permintaan untuk revisi"):
        assert label in body
    assert f"Baris anggaran {line}" in _text(body) and 'href="/pengadaan/audit/PGD-DINKES-0001/"' in body
    # and people and agencies named by id in the values are shown by name
    delegation = next(e for e in response.context["entries"] if e.action == "delegation.create")
    shown = {row["label"]: row["after"] for row in delegation.changes}
    assert shown["Penerima delegasi"] == "Bagus Santoso" and shown["Pemberi delegasi"] == "Rina Wulandari"
    assert shown["OPD"] == "Dinas Kesehatan" and shown["Peran"] == "Pejabat Pengadaan"
    # when filtered by action or person, then only those
    response = client.get(url, {"aksi": "delegation.create"})
    assert [e.action for e in response.context["entries"]] == ["delegation.create"]
    response = client.get(url, {"orang": "Bagus"})
    assert [e.action for e in response.context["entries"]] == ["requisition.decide.kembalikan"]
    # and it costs no more queries for more entries
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    _record_many(60, actor=trail["pp"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["entries"]) == 50
    # and agency people (even a PA/KPA) are refused it
    assert _client(trail["people"][Role.BUDGET_HOLDER]).get(url).status_code == 403


def test_the_nightly_watch_emails_the_auditors_when_the_chain_is_broken(auditor, mailoutbox, settings):
    from procurement.tasks import audit_chain_watch

    # given an intact chain, then the watch only publishes its head
    _record_many(5)
    assert audit_chain_watch() is True and ["RUSAK" in m.subject for m in mailoutbox] == [False]
    mailoutbox.clear()
    # when an entry is edited behind the application's back
    _trigger_off()
    _sql("UPDATE procurement_auditentry SET before = NULL WHERE seq = 4")
    # then the auditors are told which entry no longer fits
    assert audit_chain_watch() is False
    assert [m.to for m in mailoutbox] == [["apip@inspektorat.contoh.id"]]
    assert "#4" in mailoutbox[0].subject and "budget_line.update" in mailoutbox[0].body
    # and it runs every night
    schedule = settings.CELERY_BEAT_SCHEDULE["procurement-audit-chain-watch"]
    assert schedule["task"] == "procurement.tasks.audit_chain_watch" and schedule["schedule"] == 86400.0


def test_the_history_warns_the_auditor_of_a_purchase_split_under_a_value_band(auditor, trail):
    # given two requisitions of the agency to one seller, each under Rp10 juta, together above it
    seller = PartnerFactory(name="Katering Berkah")
    for n, status in enumerate((RequisitionStatus.APPROVED, RequisitionStatus.SUBMITTED)):
        requisition = RequisitionFactory(
            agency=trail["agency"],
            requester=trail["people"][Role.REQUESTER],
            reference=f"PGD-DINKES-SPLIT-{n}",
            status=status,
            date_submitted=timezone.now(),
            total=Decimal("6000000"),
        )
        RequisitionLineFactory(
            requisition=requisition, seller=seller, quantity=240, unit_price=Decimal("25000")
        )
    # when the auditor reads the second one's history, then the split is flagged
    body = _client(auditor).get(reverse("procurement:audit-detail", args=["PGD-DINKES-SPLIT-1"])).content
    assert b"data-split-warning" in body and b"Katering Berkah" in body
    # and a lone requisition is not
    body = _client(auditor).get(reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])).content
    assert b"data-split-warning" not in body


def test_values_of_any_shape_read_back_as_they_were_hashed():
    # given values with nested money, a float, dates, a tuple and non-string keys
    line = BudgetLineFactory()
    entry = audit_record(
        actor=None,
        action="budget_line.update",
        obj=line,
        before={
            "steps": [{"min_amount": Decimal("200000000.00")}],
            "ratio": 1e20,
            "when": timezone.now(),
            "day": timezone.localdate(),
        },
        after={"pair": (1, "dua"), 7: "tujuh", "share": 0.1},
    )
    # then what the database gives back hashes to the stored hash
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.before["steps"] == [{"min_amount": "200000000.00"}] and stored.before["ratio"] == "1e+20"
    assert stored.after == {"pair": [1, "dua"], "7": "tujuh", "share": "0.1"}
    assert entry_hash(stored, stored.prev_hash) == stored.hash and audit_chain_check().intact


# --- the trail in Indonesian, and its downloads ---

TIME = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} WIB$")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_trail_reads_as_sentences_with_labels_names_and_one_date_format(auditor, trail):
    # given, besides the returned requisition and the delegation, a requisition approved at its first
    # step, a role granted and revoked and a unit created
    from procurement.services import membership_grant, membership_revoke, unit_create

    agency, people = trail["agency"], trail["people"]
    big = _requisition(agency, people[Role.REQUESTER], "PGD-DINKES-0002", purpose="Seragam kader")
    type(big).objects.filter(pk=big.pk).update(total=Decimal("250000000"))
    big.refresh_from_db()
    requisition_decide(requisition=big, user=people[Role.PROCUREMENT_OFFICIAL], decision=Decision.APPROVE)
    newcomer = UserFactory(first_name="Sari", last_name="Dewi", email="sari@dinkes.contoh.id")
    membership = membership_grant(
        agency=agency, user=newcomer, role=Role.COMMITMENT_OFFICIAL, actor=people[Role.AGENCY_ADMIN]
    )
    membership_revoke(membership=membership, actor=people[Role.AGENCY_ADMIN])
    unit_create(agency=agency, name="Puskesmas Wonokromo", actor=people[Role.AGENCY_ADMIN])
    # when the auditor reads the whole trail
    response = _client(auditor).get(reverse("procurement:audit-trail"))
    entries = {entry.action: entry for entry in response.context["entries"]}
    # then each action is a sentence naming its step, people and objects
    assert entries["requisition.decide.setuju"].label == "Menyetujui langkah 1 (Pejabat Pengadaan)"
    assert entries["requisition.decide.kembalikan"].label == (
        "Mengembalikan permintaan untuk revisi di langkah 1 (Pejabat Pengadaan)"
    )
    assert entries["membership.grant"].label == "Memberi peran PPK kepada Sari Dewi"
    assert entries["membership.revoke"].label == "Mencabut peran PPK dari Sari Dewi"
    assert entries["membership.revoke"].object_name == "PPK · Sari Dewi"  # the role itself is gone
    assert entries["unit.create"].label == "Membuat unit Puskesmas Wonokromo"
    assert entries["delegation.create"].label.startswith(
        "Mendelegasikan peran Pejabat Pengadaan dari Rina Wulandari kepada Bagus Santoso, "
    )
    assert entries["approval_policy.default"].label == (
        "Memasang alur persetujuan bawaan untuk Dinas Kesehatan: 1. Pejabat Pengadaan: semua nilai; "
        "2. PPK: di atas Rp200.000.000; 3. PA/KPA: di atas Rp1.000.000.000"
    )
    assert entries["requisition.decide.setuju"].object_name == "PGD-DINKES-0002"
    # and no field shows its database key, nor a value its code or an ISO date
    for entry in response.context["entries"]:
        for change in entry.changes:
            assert "_" not in change["label"] and change["label"][0].isupper(), (entry.action, change)
    body = _text(response.content.decode())
    assert "requisition.decide" not in body and "pa_kpa" not in body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", body)
    # and every time reads one way, Jakarta time
    times = re.findall(r"<time[^>]*>([^<]*)</time>", response.content.decode())
    assert times and all(TIME.match(value) for value in times)
    local = timezone.localtime(entries["unit.create"].date_created)
    assert f"{local.day} " in times[0] and times[0].endswith(f"{local:%H:%M:%S} WIB")


def test_the_history_says_who_decided_in_the_past_tense_and_which_step_waits(auditor, trail):
    # given a requisition waiting for its first step, and the returned one
    waiting = _requisition(trail["agency"], trail["people"][Role.REQUESTER], "PGD-DINKES-0003")
    client = _client(auditor)
    # when the auditor opens them
    returned = _text(
        client.get(reverse("procurement:audit-detail", args=["PGD-DINKES-0001"])).content.decode()
    )
    body = _text(client.get(reverse("procurement:audit-detail", args=[waiting.reference])).content.decode())
    # then a decision reads "Dikembalikan untuk revisi oleh ...", and the waiting step is named once
    assert "Dikembalikan untuk revisi oleh Bagus Santoso atas nama Rina Wulandari" in returned
    assert "Kembalikan untuk revisi" not in returned
    assert "Menunggu persetujuan · langkah 1: Pejabat Pengadaan" in body and "menunggu langkah" not in body


def test_the_list_hints_the_number_as_requisitions_are_numbered(auditor, trail):
    body = _client(auditor).get(reverse("procurement:audit-list")).content.decode()
    assert 'placeholder="RQ-…"' in body and "PGD-…" not in body


def _rows_of_csv(response) -> list[list[str]]:
    import csv
    import io

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel then reads the accents right
    return list(csv.reader(io.StringIO(text[1:])))


def _rows_of_xlsx(response) -> list[list]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_an_auditor_downloads_a_requisitions_history_as_csv_and_xlsx(auditor, trail):
    # given the returned requisition, whose approver wrote a comment that is a spreadsheet formula
    requisition_cancel_comment = '=HYPERLINK("http://jahat.contoh","klik")'
    from procurement.services import requisition_cancel

    requisition_cancel(
        requisition=trail["requisition"],
        user=trail["people"][Role.REQUESTER],
        reason=requisition_cancel_comment,
        ip="10.20.30.42",
    )
    client = _client(auditor)
    # when the auditor downloads its history as CSV
    response = client.get(reverse("procurement:audit-detail-export", args=["PGD-DINKES-0001", "csv"]))
    # then it is a CSV attachment named after the requisition, one row per entry, in Indonesian
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="riwayat-PGD-DINKES-0001.csv"' in response["Content-Disposition"]
    header, *rows = _rows_of_csv(response)
    assert header[:4] == ["No.", "Waktu (WIB)", "Tindakan", "Oleh"]
    returned = rows[0]
    assert returned[2] == "Mengembalikan permintaan untuk revisi di langkah 1 (Pejabat Pengadaan)"
    assert returned[3:6] == ["Bagus Santoso", "Rina Wulandari", "10.20.30.41"]
    assert TIME.match(returned[1]) and "Komentar: Lengkapi jumlah peserta" in returned[9]
    assert returned[10] == "cocok" and len(rows) == 2
    assert rows[1][2] == "Membatalkan permintaan"
    assert f"Alasan: {requisition_cancel_comment}" in rows[1][9]
    # when downloaded as XLSX, then openpyxl reads the same header and rows
    response = client.get(reverse("procurement:audit-detail-export", args=["PGD-DINKES-0001", "xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="riwayat-PGD-DINKES-0001.xlsx"' in response["Content-Disposition"]
    values, sheet = _rows_of_xlsx(response)
    assert values[0] == header and values[1][2] == returned[2] and values[1][0] == int(returned[0])
    assert sheet.title == "PGD-DINKES-0001" and sheet.freeze_panes == "A2"


def test_a_formula_in_an_entry_reaches_the_download_as_text(auditor, trail):
    # given an admin whose name and a unit whose name are spreadsheet formulas
    from procurement.services import unit_create

    admin = trail["people"][Role.AGENCY_ADMIN]
    admin.first_name, admin.last_name = "-2+3", ""
    admin.save()
    unit_create(agency=trail["agency"], name='=HYPERLINK("http://jahat.contoh")', actor=admin)
    client = _client(auditor)
    # when the trail is downloaded as CSV, then those cells start with a quote and read as text
    _header, *rows = _rows_of_csv(client.get(reverse("procurement:audit-trail-export", args=["csv"])))
    created = next(row for row in rows if row[11] == "unit.create")
    assert created[3] == "'-2+3" and created[7] == '\'=HYPERLINK("http://jahat.contoh")'
    # and in XLSX no cell is a formula
    values, sheet = _rows_of_xlsx(client.get(reverse("procurement:audit-trail-export", args=["xlsx"])))
    created = next(row for row in values if row[11] == "unit.create")
    assert created[3] == "'-2+3" and created[7] == '\'=HYPERLINK("http://jahat.contoh")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_history_download_follows_the_pages_access_rules(auditor, trail):
    # given agency B's PA/KPA, agency A's requester and an anonymous visitor
    other, people = _agency_with_people("Dinas Pendidikan", "dispendik")
    for fmt in ("csv", "xlsx"):
        url = reverse("procurement:audit-detail-export", args=["PGD-DINKES-0001", fmt])
        # then A's PA/KPA and admin may download it, B's PA/KPA gets 404, a requester 403, a visitor sign-in
        assert _client(trail["people"][Role.BUDGET_HOLDER]).get(url).status_code == 200
        assert _client(trail["people"][Role.AGENCY_ADMIN]).get(url).status_code == 200
        assert _client(people[Role.BUDGET_HOLDER]).get(url).status_code == 404
        assert _client(trail["people"][Role.REQUESTER]).get(url).status_code == 403
        assert Client().get(url).status_code == 302
        assert _client(auditor).post(url).status_code == 405
    # and the whole trail's download is for auditors only
    url = reverse("procurement:audit-trail-export", args=["xlsx"])
    assert _client(trail["people"][Role.BUDGET_HOLDER]).get(url).status_code == 403
    assert _client(auditor).get(url).status_code == 200
    # and another format is no URL at all
    assert Client().get("/pengadaan/audit/jejak/unduh.html").status_code == 404


def test_the_trail_download_keeps_the_pages_filters_and_all_its_pages(auditor, trail, monkeypatch):
    # given 60 budget line changes (more than a page) besides the delegation and the decision
    _record_many(60, actor=trail["pp"])
    client = _client(auditor)
    url = reverse("procurement:audit-trail-export", args=["xlsx"])
    # when downloaded filtered by action, then only those rows, oldest first
    values, _sheet = _rows_of_xlsx(client.get(url, {"aksi": "budget_line.update"}))
    assert len(values) == 61 and {row[11] for row in values[1:]} == {"budget_line.update"}
    assert [row[0] for row in values[1:]] == sorted(row[0] for row in values[1:])
    # when filtered by person, then only theirs
    _header, *rows = _rows_of_csv(
        client.get(reverse("procurement:audit-trail-export", args=["csv"]), {"orang": "Bagus"})
    )
    assert [row[11] for row in rows] == ["requisition.decide.kembalikan"]
    # and the page offers the download with its filters
    page = client.get(reverse("procurement:audit-trail"), {"orang": "Bagus"}).content.decode()
    assert 'href="/pengadaan/audit/jejak/unduh.xlsx?orang=Bagus"' in page
    # and a download too large to build while waiting sends the auditor back to narrow it
    monkeypatch.setattr("procurement.views_audit.EXPORT_MAX_ENTRIES", 10)
    response = client.get(url, {"aksi": "budget_line.update"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("procurement:audit-trail") + "?aksi=budget_line.update"
    assert "Terlalu banyak entri untuk diunduh sekaligus (60" in response.content.decode()


def test_an_approval_steps_range_reads_as_people_say_it():
    from procurement.models import ApprovalStep, amount_range_label

    assert amount_range_label(Decimal(0), None) == "semua nilai"
    assert amount_range_label(Decimal(0), Decimal("200000000")) == "sampai Rp200.000.000"
    assert amount_range_label(Decimal("200000000"), None) == "di atas Rp200.000.000"
    assert amount_range_label("10000000", "50000000") == "di atas Rp10.000.000 sampai Rp50.000.000"
    assert ApprovalStep(min_amount=Decimal(0)).range_label == "semua nilai"


# --- the keyed chain, TRUNCATE, and the published head ---

KEY_1 = "k1:" + "1" * 40
KEY_2 = "k2:" + "2" * 40


def _forged(prev: AuditEntry, *, scheme: str, key_id: str) -> AuditEntry:
    """An entry someone with database access appends after ``prev``: a ceiling raised out of nowhere."""
    return AuditEntry(
        seq=prev.seq + 1,
        date_created=timezone.now(),
        action="budget_line.update",
        object_type="procurement.budgetline",
        object_id="1",
        before={"ceiling": "1000000"},
        after={"ceiling": "999000000"},
        prev_hash=prev.hash,
        scheme=scheme,
        key_id=key_id,
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_truncate_the_audit_tables():
    # given a committed chain of 3 and its published head
    with transaction.atomic():
        _record_many(3)
    audit_chain_watch()
    assert AuditHead.objects.count() == 1
    # when someone with SQL access empties the tables, directly or by a cascade from a table they point to
    for statement in (
        "TRUNCATE procurement_auditentry",
        "TRUNCATE procurement_audithead",
        "TRUNCATE procurement_auditentry, procurement_audithead",
        "TRUNCATE procurement_budgetline CASCADE",
    ):
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
            _sql(statement)
    # then every entry and the head are still there and the chain verifies
    assert AuditEntry.objects.count() == 3 and AuditHead.objects.count() == 1
    assert audit_chain_check().intact
    # and the published heads are append-only like the entries
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditHead.objects.update(seq=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditHead.objects.all().delete()


def test_new_entries_carry_an_hmac_under_the_current_key_not_a_plain_hash(settings):
    # given the key from the environment
    settings.PEKEN_AUDIT_KEYS = [KEY_1]
    # when changes are recorded
    _record_many(2)
    # then each entry names its key and its hash is the HMAC, not the plain sha256 anyone could compute
    entry = AuditEntry.objects.get(seq=2)
    assert (entry.scheme, entry.key_id) == (AuditScheme.HMAC_SHA256, "k1")
    entry.scheme = AuditScheme.SHA256
    assert entry_hash(entry, entry.prev_hash) != entry.hash
    assert audit_chain_check().intact


def test_an_entry_forged_with_an_unkeyed_hash_or_a_wrong_key_does_not_verify(settings):
    # given a chain of 4 written under the real key
    settings.PEKEN_AUDIT_KEYS = [KEY_1]
    _record_many(4)
    last = AuditEntry.objects.get(seq=4)
    # when someone with database access but not the key appends an entry hashed the old, unkeyed way
    forged = _forged(last, scheme=AuditScheme.SHA256, key_id="")
    forged.hash = entry_hash(forged, forged.prev_hash)
    forged.save(force_insert=True)
    # then it does not verify: unkeyed entries do not belong in the keyed chain
    report = audit_chain_check()
    assert report.broken.entry.seq == 5 and report.broken.reason == "unkeyed" and report.count == 4
    with pytest.raises(CommandError, match="#5 .*tanpa kunci"):
        call_command("audit_verify")
    # and the history pages mark it too
    assert [e.seq for e in audit_entries_check(list(AuditEntry.objects.filter(seq__gte=4)))] == [5]
    _trigger_off()
    _sql("DELETE FROM procurement_auditentry WHERE seq = 5")
    # when it claims the keyed scheme, hashed with plain sha256 or with a guessed key
    plain = _forged(last, scheme=AuditScheme.HMAC_SHA256, key_id="k1")
    plain.scheme = AuditScheme.SHA256
    plain_hash = entry_hash(plain, plain.prev_hash)
    guessed = _forged(last, scheme=AuditScheme.HMAC_SHA256, key_id="k1")
    with override_settings(PEKEN_AUDIT_KEYS=["k1:a-guess-at-the-key-by-someone-without-it"]):
        guessed_hash = entry_hash(guessed, guessed.prev_hash)
    for digest in (plain_hash, guessed_hash, hashlib.sha256(b"anything").hexdigest()):
        forged = _forged(last, scheme=AuditScheme.HMAC_SHA256, key_id="k1")
        forged.hash = digest
        forged.save(force_insert=True)
        # then its HMAC under the real key does not match, and the command says which key it checked with
        report = audit_chain_check()
        assert report.broken.entry.seq == 5 and report.broken.reason == "content"
        with pytest.raises(CommandError, match="#5 .*HMAC-nya dengan kunci 'k1'"):
            call_command("audit_verify")
        _sql("DELETE FROM procurement_auditentry WHERE seq = 5")


def test_an_edit_rehashed_without_the_key_breaks_at_the_edited_entry(settings):
    # given a chain of 6 and a DBA who raises entry 3's ceiling and rebuilds every hash from there unkeyed
    settings.PEKEN_AUDIT_KEYS = [KEY_1]
    _record_many(6)
    _trigger_off()
    prev_hash = AuditEntry.objects.get(seq=2).hash
    for entry in AuditEntry.objects.filter(seq__gte=3).order_by("seq"):
        if entry.seq == 3:
            entry.after = {"ceiling": "999000000"}
        entry.prev_hash = prev_hash
        with override_settings(PEKEN_AUDIT_KEYS=["k1:not-the-real-key"]):
            entry.hash = entry_hash(entry, prev_hash)
        AuditEntry.objects.filter(pk=entry.pk).update(after=entry.after, prev_hash=prev_hash, hash=entry.hash)
        prev_hash = entry.hash
    # when verified, then the rebuilt chain links up but entry 3 is named: its HMAC does not fit
    report = audit_chain_check()
    assert report.broken.entry.seq == 3 and report.broken.reason == "content" and report.count == 2


def test_rotated_keys_keep_old_entries_verifying_and_a_dropped_key_is_named(settings):
    # given two entries under key k1
    settings.PEKEN_AUDIT_KEYS = [KEY_1]
    _record_many(2)
    # when the key is rotated (k2 first, k1 kept after it) and more is recorded
    settings.PEKEN_AUDIT_KEYS = [KEY_2, KEY_1]
    _record_many(2)
    # then new entries are signed with k2, and the whole chain verifies
    keys = list(AuditEntry.objects.order_by("seq").values_list("key_id", flat=True))
    assert keys == ["k1", "k1", "k2", "k2"]
    assert audit_chain_check().intact and audit_chain_check().count == 4
    # when k1 is dropped, then the first entry it signed is named, with the key and what to do
    settings.PEKEN_AUDIT_KEYS = [KEY_2]
    report = audit_chain_check()
    assert report.broken.entry.seq == 1 and report.broken.reason == "key"
    with pytest.raises(CommandError, match="#1 .*kunci 'k1' yang tidak ada di PEKEN_AUDIT_KEYS"):
        call_command("audit_verify")
    # and when k1 is there with the wrong secret, the command names the key it checked with
    settings.PEKEN_AUDIT_KEYS = [KEY_2, "k1:" + "9" * 40]
    with pytest.raises(CommandError, match="#1 .*HMAC-nya dengan kunci 'k1'"):
        call_command("audit_verify")


def test_entries_hashed_before_the_chain_was_keyed_verify_once_sealed(settings):
    # given three entries written before the chain was keyed (plain sha256), as an upgrade finds them
    settings.PEKEN_AUDIT_KEYS = [KEY_1]
    prev = AuditEntry(seq=0, hash=GENESIS)
    for n in range(3):
        entry = _forged(prev, scheme=AuditScheme.SHA256, key_id="")
        entry.after = {"ceiling": str(n)}
        entry.hash = entry_hash(entry, entry.prev_hash)
        entry.save(force_insert=True)
        prev = entry
    # then, not yet sealed, they do not count as verified
    report = audit_chain_check()
    assert report.broken.entry.seq == 1 and report.broken.reason == "unkeyed"
    # when the migration seals them with the key and the application records more
    seal = audit_legacy_seal()
    _record_many(1)
    # then the whole chain verifies, old entries by their old scheme
    assert (seal.seq, seal.action, seal.prev_hash) == (4, SEAL_ACTION, prev.hash)
    assert audit_legacy_seal() is None
    report = audit_chain_check()
    assert report.intact and report.count == 5
    assert audit_entries_check(list(AuditEntry.objects.all())) == []
    # when someone rewrites an old entry and rebuilds the old hashes after it (no key needed for them)
    _trigger_off()
    prev_hash = AuditEntry.objects.get(seq=1).hash
    for entry in AuditEntry.objects.filter(seq__in=[2, 3]).order_by("seq"):
        entry.after, entry.prev_hash = {"ceiling": "999000000"}, prev_hash
        entry.hash = entry_hash(entry, prev_hash)
        AuditEntry.objects.filter(pk=entry.pk).update(after=entry.after, prev_hash=prev_hash, hash=entry.hash)
        prev_hash = entry.hash
    # then the seal, whose HMAC covers the old head, no longer links
    report = audit_chain_check()
    assert report.broken.entry.seq == 4 and report.broken.reason == "link"


def test_a_truncated_tail_is_caught_against_the_published_head(auditor, mailoutbox):
    # given a chain of 6 whose head the nightly watch published
    _record_many(6)
    audit_chain_watch()
    emailed = re.search(r"--head (6:[0-9a-f]{64})", mailoutbox[0].body).group(1)
    mailoutbox.clear()
    # when the newest three entries are deleted by someone who can switch the row trigger off
    _trigger_off()
    _sql("DELETE FROM procurement_auditentry WHERE seq > 3")
    # then the chain alone looks whole, but audit_verify compares with the published head by default
    assert audit_chain_check(published=False).intact
    report = audit_chain_check()
    assert report.head_lost.reason == "cut" and report.head_lost.head.seq == 6
    with pytest.raises(CommandError, match="#6 .*diterbitkan.*#4 sampai #6 dihapus"):
        call_command("audit_verify")
    # and the next night's watch alarms the auditors
    assert audit_chain_watch().intact is False
    assert len(mailoutbox) == 1 and "RUSAK" in mailoutbox[0].subject and "#4 sampai #6" in mailoutbox[0].body
    # when the published heads are deleted too, then only the head the auditor kept from the email catches it
    _sql("ALTER TABLE procurement_audithead DISABLE TRIGGER audithead_append_only")
    _sql("DELETE FROM procurement_audithead")
    call_command("audit_verify")
    with pytest.raises(CommandError, match="#4 sampai #6 dihapus"):
        call_command("audit_verify", heads=[emailed])


def test_a_head_published_after_a_cut_does_not_hide_it(auditor):
    # given a head published at 6, then the tail cut and a shorter head slipped in for a later night
    _record_many(6)
    audit_chain_watch()
    _trigger_off()
    _sql("DELETE FROM procurement_auditentry WHERE seq > 4")
    last = AuditEntry.objects.get(seq=4)
    AuditHead.objects.create(
        day=timezone.localdate() + timedelta(days=1), seq=4, hash=last.hash, date_created=timezone.now()
    )
    # then every published head is checked, not only the newest
    report = audit_chain_check()
    assert report.head_lost.reason == "cut" and report.head_lost.head.seq == 6
    # and a head given from outside with another hash shows a rebuilt chain
    report = audit_chain_check(heads=(Head(2, "f" * 64),))
    assert report.head_lost.reason == "rebuilt" and report.head_lost.head.seq == 2


def test_the_watch_publishes_the_head_by_email_and_log_once_a_night(auditor, mailoutbox, caplog, monkeypatch):
    # given an intact chain of 5
    _record_many(5)
    head = AuditEntry.objects.get(seq=5)
    # when the nightly watch runs
    with caplog.at_level(logging.INFO, logger="procurement.audit"):
        assert audit_chain_watch().intact
    # then the head is stored, emailed to the auditors with the command that checks it, and logged
    published = AuditHead.objects.get()
    assert (published.seq, published.hash, published.day) == (5, head.hash, timezone.localdate())
    assert [m.to for m in mailoutbox] == [["apip@inspektorat.contoh.id"]]
    assert f"manage.py audit_verify --head 5:{head.hash}" in mailoutbox[0].body
    assert "#5" in mailoutbox[0].subject and "RUSAK" not in mailoutbox[0].subject
    assert f"5:{head.hash}" in caplog.text
    # when it runs again the same night (a retry), then nothing more is published
    audit_chain_watch()
    assert AuditHead.objects.count() == 1 and len(mailoutbox) == 1
    # when the next night comes with more entries, then the new head is published
    _record_many(2)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("procurement.audit.timezone.localdate", lambda: tomorrow)
    audit_chain_watch()
    assert list(AuditHead.objects.values_list("seq", flat=True)) == [5, 7] and len(mailoutbox) == 2
    # and audit_verify checks against both by default
    call_command("audit_verify")


def test_the_application_runs_as_a_role_that_does_not_own_the_audit_tables(auditor):
    # given the role of the README: SELECT and INSERT on the audit tables, nothing else there
    _record_many(1)
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    _sql("CREATE ROLE peken_audit_test_app NOLOGIN")
    _sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO peken_audit_test_app")
    _sql("GRANT INSERT ON procurement_auditentry, procurement_audithead TO peken_audit_test_app")
    _sql("SET LOCAL ROLE peken_audit_test_app")
    # when the application records a change and the watch publishes the head under it
    line = BudgetLineFactory.build(pk=1)
    audit_record(actor=None, action="budget_line.update", obj=line, before={"a": 1}, after={"a": 2})
    assert audit_chain_watch().intact and AuditHead.objects.count() == 1
    # then it cannot edit, empty or switch off the guard of the trail
    for statement in (
        "UPDATE procurement_auditentry SET action = 'x'",
        "DELETE FROM procurement_auditentry",
        "TRUNCATE procurement_auditentry",
        "ALTER TABLE procurement_auditentry DISABLE TRIGGER auditentry_append_only",
    ):
        with pytest.raises(DatabaseError, match="permission denied|must be owner"), transaction.atomic():
            _sql(statement)
    _sql("RESET ROLE")
    assert audit_chain_check().count == 2


def test_a_head_slipped_in_for_tonight_does_not_stop_the_real_one(auditor, mailoutbox):
    # given a chain of 5 and an earlier head someone with database access stored for tonight
    _record_many(5)
    third = AuditEntry.objects.get(seq=3)
    AuditHead.objects.create(day=timezone.localdate(), seq=3, hash=third.hash, date_created=timezone.now())
    # when the nightly watch runs, then it still publishes and emails the real head
    audit_chain_watch()
    head = AuditEntry.objects.get(seq=5)
    assert AuditHead.objects.filter(day=timezone.localdate(), seq=5, hash=head.hash).exists()
    assert len(mailoutbox) == 1 and f"--head 5:{head.hash}" in mailoutbox[0].body
