"""Load the demo marketplace and print the demo accounts: `manage.py peken_demo`."""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from peken import demo
from procurement import demo as procurement_demo


class Command(BaseCommand):
    help = (
        "Create the Surabaya demo sellers, products and accounts that are missing; keeps every edit. "
        "Refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Bring the database schema up to date first, in one process (make run).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"], stdout=self.stdout)
        try:
            counts = demo.demo_load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {time.monotonic() - started:.0f} s: {counts.kecamatan} kecamatan, "
                f"{counts.categories} categories, {counts.sellers} sellers, {counts.products} products."
            )
        )
        self.stdout.write("Demo accounts (for this machine only):")
        for role, account in (
            ("Pembeli", demo.SHOPPER),
            ("Admin (dashboard)", demo.ADMIN),
            ("Verifikator toko", demo.VERIFIER),
            ("Penjual", demo.SELLER),
        ):
            self.stdout.write(f"  {role:18} {account['email']}  password: {account['password']}")
        self.stdout.write(f"Agency officials (OPD), all with password: {procurement_demo.OFFICIAL_PASSWORD}")
        for agency, role, email in procurement_demo.official_logins():
            self.stdout.write(f"  {agency:26} {role:20} {email}")
        self.stdout.write(
            "Shop: http://127.0.0.1:8000/   Dashboard: http://127.0.0.1:8000/dashboard/   "
            "Open a shop: /penjual/daftar/   Verify shops: /penjual/verifikasi/   "
            "Seller centre: /penjual/pusat/   Agency admin: /pengadaan/opd/"
        )
