"""OCDS 1.1 releases of one official order, published as it moves; its packages and its record.

One contracting process per official seller order (ocid: PEKEN_OCDS_PREFIX and the order number).
Each recorded step is one release, dated when the step happened, with a stable id:

- ``placed`` (final approval placed the order): planning (the budget line, its amount, the Kode
  RUP), tender (the items, ``direct``, pengadaan langsung or e-purchasing), the award to the
  seller pending its acceptance and the contract pending; tags planning, tender, award, contract;
- ``accepted`` (the seller accepted): award and contract active; awardUpdate, contractUpdate;
- ``rejected`` / ``cancelled`` (the order sold nothing): award and contract cancelled, or the
  contract terminated if the seller had accepted it;
- ``doc-<id>`` (a document was issued): the value band's contract document (a kuitansi-band
  purchase: its kuitansi) as ``contractSigned``, a BAST as ``completionCertificate``;
- ``payment-<id>`` (the treasurer paid): a transaction of the gross, payer (the agency's treasurer,
  or the city treasury for LS) and payee; the contract then closes (terminated).

Each release states the whole process as it stood at its date, so the last one alone is the
process's present state and merging them (ocdsmerge, as ``compile_releases`` here) gives it too.
Nothing personal is published (../shared/DOMAIN.md "Open data"): no person at all, no seller's
NIK, NPWP, address, phone, bank account or MBR status; a seller is its shop's name and its NIB,
or an opaque Peken id when it has none. The requisition's free text (purpose, delivery address,
contact) stays out, since it can hold anyone's name or number. Text is in Indonesian whatever
the reader's language, so a release never differs by who asked for it.
"""

from copy import deepcopy
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone, translation

from catalogue_ext.abstract_models import SaleUnit
from opendata import selectors
from opendata.selectors import ProcessFacts
from orders.statuses import OrderStatus
from procurement.services.documents import verification_url
from procurement.statuses import DocumentKind, PaymentMethod
from procurement.tax import Channel
from sellers.abstract_models import UmkmScale

OCDS_VERSION = "1.1"
CURRENCY = "IDR"
ITEM_SCHEME = "x_peken_kategori"  # the catalogue's own category tree: its path of slugs is the code
SELLER_SCHEME = "ID-NIB"  # Nomor Induk Berusaha, the business id OSS issues
SELLER_OPAQUE_SCHEME = "x_peken_penjual"
AGENCY_SCHEME = "x_peken_opd"
TREASURY_ID = "BUD"
# UN/CEFACT Recommendation 20 codes of the catalogue's sale units
UNIT_CODES = {
    SaleUnit.PIECE: "H87",
    SaleUnit.KILOGRAM: "KGM",
    SaleUnit.GRAM: "GRM",
    SaleUnit.LITRE: "LTR",
    SaleUnit.PACK: "PK",
    SaleUnit.BOX: "BX",
    SaleUnit.PORTION: "PTN",
    SaleUnit.SACK: "SA",
    SaleUnit.SET: "SET",
}
# OCDS partyScale: a small and a medium business are both "sme"
SCALES = {UmkmScale.MICRO: "micro", UmkmScale.SMALL: "sme", UmkmScale.MEDIUM: "sme"}
# the order of steps recorded in the same instant
STEP_RANK = {"placed": 0, "accepted": 1, "rejected": 1, "cancelled": 1, "doc": 2, "payment": 3}


def absolute_url(path: str) -> str:
    """The address of ``path`` on the site's own domain, as the documents' QR codes are made."""
    return f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}{path}"


def _when(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _value(amount) -> dict:
    return {"amount": int(Decimal(amount)), "currency": CURRENCY}


def _agency_party(agency) -> dict:
    party = {
        "id": f"OPD-{agency.code}",
        "name": agency.name,
        "identifier": {"scheme": AGENCY_SCHEME, "id": agency.code, "legalName": agency.name},
    }
    if agency.address:  # the office's address, as public as its name
        party["address"] = {"streetAddress": agency.address, "countryName": "Indonesia"}
    return party


def seller_party(seller) -> dict:
    """The seller as a party: its shop name and NIB (or an opaque id), its UMKM scale; nothing else."""
    if seller.nib:
        party = {
            "id": f"{SELLER_SCHEME}-{seller.nib}",
            "identifier": {"scheme": SELLER_SCHEME, "id": seller.nib},
        }
    else:
        party = {
            "id": f"PEKEN-{seller.pk}",
            "identifier": {"scheme": SELLER_OPAQUE_SCHEME, "id": str(seller.pk)},
        }
    party["name"] = seller.name  # the shop's name; an individual owner's own name is not published
    if seller.umkm_scale in SCALES:
        party["details"] = {"scale": SCALES[seller.umkm_scale]}
    return party


def _treasury_party() -> dict:
    return {"id": TREASURY_ID, "name": f"Bendahara Umum Daerah {settings.PEKEN_CITY_NAME}"}


def _ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _item(fact: selectors.ItemFact) -> dict:
    item = {
        "id": str(fact.line_id),
        "description": fact.title,
        "classification": {
            "scheme": ITEM_SCHEME,
            "id": fact.category_code or "tanpa-kategori",
            "description": fact.category_name or "Tanpa kategori",
        },
        "quantity": fact.quantity,
        "unit": {"name": str(SaleUnit(fact.unit).label) if fact.unit in SaleUnit.values else fact.unit},
    }
    if fact.unit in UNIT_CODES:
        item["unit"] |= {"scheme": "UNCEFACT", "id": UNIT_CODES[fact.unit]}
    item["unit"]["value"] = _value(fact.unit_price)
    return item


def _categories(items: list[selectors.ItemFact]) -> tuple[str, list[str]]:
    """mainProcurementCategory by the larger share of value (goods or services), and the other if any."""
    shares = {"goods": Decimal(0), "services": Decimal(0)}
    for fact in items:
        shares["goods" if selectors.is_goods(fact.kind) else "services"] += fact.unit_price * fact.quantity
    main = "services" if shares["services"] > shares["goods"] else "goods"
    other = [name for name, share in shares.items() if name != main and share > 0]
    return main, other


def _document(document, *, kind: str) -> dict:
    return {
        "id": document.number,
        "documentType": kind,
        "title": f"{DocumentKind(document.kind).label} {document.number}",
        "url": verification_url(document.code),
        "datePublished": _when(document.date_issued),
        "format": "text/html",  # the public verification page: the document's facts and its hash
        "language": "id",
    }


def _steps(facts: ProcessFacts) -> list[tuple[datetime, str, str, object]]:
    """Every recorded step of the process, (when, step, key, its row), in the order they happened."""
    steps = [(facts.order.date_placed, "placed", "placed", None)]
    for status, when in facts.changes:
        step = {
            OrderStatus.ACCEPTED: "accepted",
            OrderStatus.REJECTED: "rejected",
            OrderStatus.CANCELLED: "cancelled",
        }[status]
        steps.append((when, step, step, None))
    steps += [(d.date_issued, "doc", f"doc-{d.pk}", d) for d in facts.documents]
    # a payment is paid when marked so; rows written without that moment count from its day
    steps += [
        (p.date_paid or selectors.jakarta_day(p.paid_on), "payment", f"payment-{p.pk}", p)
        for p in facts.payments
    ]
    return sorted(steps, key=lambda s: (s[0], STEP_RANK[s[1]], s[2]))


class _Process:
    """The process's state, one step applied after another; ``release`` writes it down."""

    def __init__(self, facts: ProcessFacts):
        order, requisition = facts.order, facts.requisition
        self.facts = facts
        self.ocid = selectors.ocid_of(order)
        self.agency = _agency_party(requisition.agency) | {"roles": ["buyer", "procuringEntity"]}
        self.seller = seller_party(order.seller) | {"roles": ["supplier"]}
        self.treasury = None
        items = [_item(fact) for fact in facts.items]
        main, other = _categories(facts.items)
        value = _value(facts.value)
        line = requisition.budget_line
        budget = {
            "id": f"{requisition.agency.code}-{line.fiscal_year}-{line.account_code}",
            "description": f"{line.sub_activity}: {line.account_code} {line.description}",
            "amount": value,
        }
        if requisition.kode_rup:
            budget["projectID"] = requisition.kode_rup
        channel = Channel(settings.PEKEN_PROCUREMENT_CHANNEL)
        self.planning = {"budget": budget}
        self.tender = {
            "id": order.number,
            "title": f"Belanja {requisition.agency.name} dari {order.seller.name}",
            "status": "complete",
            "procuringEntity": _ref(self.agency),
            "items": items,
            "value": value,
            "procurementMethod": "direct",
            "procurementMethodDetails": f"{channel.label} melalui Peken",
            "mainProcurementCategory": main,
            "numberOfTenderers": 1,
            "tenderers": [_ref(self.seller)],
        }
        if other:
            self.tender["additionalProcurementCategories"] = other
        self.award = {
            "id": order.number,
            "status": "pending",
            "date": _when(order.date_placed),
            "value": value,
            "suppliers": [_ref(self.seller)],
            "items": deepcopy(items),
        }
        self.contract = {
            "id": order.number,
            "awardID": order.number,
            "status": "pending",
            "value": value,
            "items": deepcopy(items),
        }
        self.accepted = False

    def apply(self, step: str, row) -> list[str]:
        """Apply one step; its release's tags."""
        if step == "placed":
            return ["planning", "tender", "award", "contract"]
        if step == "accepted":
            self.accepted = True
            self.award["status"] = self.contract["status"] = "active"
            return ["awardUpdate", "contractUpdate"]
        if step in ("rejected", "cancelled"):
            if self.accepted:
                self.contract["status"] = "terminated"
                return ["contractTermination"]
            self.award["status"] = self.contract["status"] = "cancelled"
            return ["awardCancellation"]
        if step == "doc":
            if row.kind == DocumentKind.BAST:
                implementation = self.contract.setdefault("implementation", {})
                implementation.setdefault("documents", []).append(
                    _document(row, kind="completionCertificate")
                )
                return ["implementation"]
            self.contract.setdefault("documents", []).append(_document(row, kind="contractSigned"))
            self.contract.setdefault("dateSigned", _when(row.date_issued))
            return ["contractUpdate"]
        if step == "payment":
            return self._paid(row)
        raise ValueError(step)

    def _paid(self, payment) -> list[str]:
        if payment.method == PaymentMethod.LS:  # the city treasury pays by SP2D
            self.treasury = self.treasury or (_treasury_party() | {"roles": ["payer"]})
            payer = self.treasury
        else:  # the agency's treasurer pays from its cash advance or its card
            if "payer" not in self.agency["roles"]:
                self.agency["roles"].append("payer")
            payer = self.agency
        if "payee" not in self.seller["roles"]:
            self.seller["roles"].append("payee")
        implementation = self.contract.setdefault("implementation", {})
        implementation.setdefault("transactions", []).append(
            {
                "id": f"{self.facts.order.number}-{payment.pk}",
                "date": _when(selectors.jakarta_day(payment.paid_on)),
                "value": _value(payment.gross),
                "payer": _ref(payer),
                "payee": _ref(self.seller),
            }
        )
        # paid once everything was received or closed short: the contract has come to its end
        self.contract["status"] = "terminated"
        return ["implementation", "contractTermination"]

    def release(self, *, key: str, when: datetime, tags: list[str]) -> dict:
        parties = [self.agency, self.seller] + ([self.treasury] if self.treasury else [])
        return deepcopy(
            {
                "ocid": self.ocid,
                "id": f"{self.ocid}-{key}",
                "date": _when(when),
                "tag": tags,
                "initiationType": "tender",
                "language": "id",
                "parties": parties,
                "buyer": _ref(self.agency),
                "planning": self.planning,
                "tender": self.tender,
                "awards": [self.award],
                "contracts": [self.contract],
            }
        )


def process_releases(*, facts: ProcessFacts) -> list[dict]:
    """The releases of one process, oldest first: one per recorded step (the module docstring).

    A contract document is the value band's (CONTRACT_KINDS, issued once the seller accepted); a
    kuitansi is one only where none was issued: a kuitansi-band purchase, whose kuitansi is its
    contract. Built from ``facts`` alone, in Indonesian.
    """
    process = _Process(facts)
    releases = []
    with translation.override(settings.LANGUAGE_CODE):
        for when, step, key, row in _steps(facts):
            if step == "doc" and row.kind == DocumentKind.KUITANSI and facts.has_contract_document:
                continue  # the receipt of a purchase whose contract is its nota, SPK or letter
            tags = process.apply(step, row)
            releases.append(process.release(key=key, when=when, tags=tags))
    return releases


def order_releases(*, order) -> list[dict]:
    """The releases of the official ``order`` (selectors.process_facts read for it)."""
    return process_releases(facts=selectors.process_facts(order=order))


# --- packages and records ---


def _package(*, uri: str, releases: list[dict]) -> dict:
    """What every package says of itself; published when its newest release was, so it never
    changes alone."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publisher": {"name": settings.PEKEN_CITY_NAME},
        "publishedDate": max(r["date"] for r in releases),
        "license": settings.PEKEN_OCDS_LICENSE,
        "publicationPolicy": absolute_url(reverse("opendata:index")),
    }


def package_url(*, ocid: str, kind: str) -> str:
    """The absolute address of a process's release package (kind "release") or record package ("record")."""
    name = "opendata:release-package" if kind == "release" else "opendata:record-package"
    return absolute_url(reverse(name, kwargs={"ocid": ocid}))


def release_package(*, releases: list[dict], uri: str) -> dict:
    """``releases`` in a release package."""
    return {**_package(uri=uri, releases=releases), "releases": releases}


def _merge(old, new):
    """ocdsmerge's rules for our releases: objects merge field by field, arrays of objects by their
    ids (in the order first seen), any other value or array is replaced by the newer."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for name, value in new.items():
            merged[name] = _merge(old[name], value) if name in old else deepcopy(value)
        return merged
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and all(isinstance(x, dict) and "id" in x for x in old + new)
        and new
    ):
        by_id = {x["id"]: deepcopy(x) for x in old}
        for x in new:
            by_id[x["id"]] = _merge(by_id[x["id"]], x) if x["id"] in by_id else deepcopy(x)
        return list(by_id.values())
    return deepcopy(new)


def compile_releases(*, releases: list[dict]) -> dict:
    """The compiled release of one process: its releases merged in date order, tagged "compiled"."""
    ordered = sorted(releases, key=lambda r: r["date"])
    compiled: dict = {}
    for release in ordered:
        compiled = _merge(compiled, {k: v for k, v in release.items() if k not in ("id", "tag")})
    compiled["id"] = f"{compiled['ocid']}-{compiled['date']}"
    compiled["tag"] = ["compiled"]
    return compiled


def record_package(*, releases: list[dict], uri: str, releases_uri: str) -> dict:
    """One process's record: its releases linked by their package's address, and its compiled release."""
    record = {
        "ocid": releases[0]["ocid"],
        "releases": [
            {"url": f"{releases_uri}#{r['id']}", "date": r["date"], "tag": r["tag"]}
            for r in sorted(releases, key=lambda r: r["date"])
        ],
        "compiledRelease": compile_releases(releases=releases),
    }
    return {**_package(uri=uri, releases=releases), "records": [record]}
