"""Bulk synthetic data for benchmarks: `manage.py peken_synthetic --products 100000`.

With `--requisitions 100000` (12 lines each, 50 agencies by default) it adds official purchases at
city scale too (procurement/synthetic.py): a million order lines of agencies' purchases with
their handovers, payments and taxes.
"""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from peken.synthetic import synthetic_populate
from procurement.synthetic import official_synthetic_populate
from reports.services import reports_summaries_settle


class Command(BaseCommand):
    help = "Create N sellers, products, buyers and orders quickly and deterministically (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--sellers", type=int, default=200)
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--orders", type=int, default=250_000)
        parser.add_argument("--lines-per-order", type=int, default=4)
        parser.add_argument("--buyers", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--agencies", type=int, default=50)
        parser.add_argument("--requisitions", type=int, default=0)
        parser.add_argument("--requisition-lines", type=int, default=12)

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
            if options["requisitions"]:
                with transaction.atomic():
                    official = official_synthetic_populate(
                        agencies=options["agencies"],
                        requisitions=options["requisitions"],
                        lines_per_requisition=options["requisition_lines"],
                        seed=options["seed"],
                    )
                progress(
                    f"{official.agencies} agencies, {official.requisitions} requisitions, "
                    f"{official.order_lines} official order lines, {official.payments} payments"
                )
                # the reports' trigger-kept summaries took the COPY in; their statistics and the
                # materialized views are brought up to date as beat would
                progress(f"reports' views refreshed: {', '.join(reports_summaries_settle())}")
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts.sellers} sellers, {counts.products} products, {counts.buyers} buyers, "
                f"{counts.orders} orders, {counts.lines} order lines in {time.monotonic() - started:.0f} s"
            )
        )
