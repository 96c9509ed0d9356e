"""Bulk synthetic data for benchmarks: `manage.py peken_synthetic --products 100000`."""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from peken.synthetic import synthetic_populate


class Command(BaseCommand):
    help = "Create N sellers, products, buyers and orders quickly and deterministically (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--sellers", type=int, default=200)
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--orders", type=int, default=250_000)
        parser.add_argument("--lines-per-order", type=int, default=4)
        parser.add_argument("--buyers", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"  {message} ({time.monotonic() - started:.0f} s)")

        try:
            counts = synthetic_populate(
                sellers=options["sellers"],
                products=options["products"],
                orders=options["orders"],
                lines_per_order=options["lines_per_order"],
                buyers=options["buyers"],
                seed=options["seed"],
                progress=progress,
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts.sellers} sellers, {counts.products} products, {counts.buyers} buyers, "
                f"{counts.orders} orders, {counts.lines} order lines in {time.monotonic() - started:.0f} s"
            )
        )
