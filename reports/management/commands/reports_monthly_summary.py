"""manage.py reports_monthly_summary [--bulan 2026-03]: send a month's summary to the PA/KPA and auditors."""

import re

from django.core.management.base import BaseCommand, CommandError

from reports.monthly_summary import last_month, monthly_summaries_send


class Command(BaseCommand):
    help = "Send a month's spending summary (default: last month) to every PA/KPA and city auditor, once."

    def add_arguments(self, parser):
        parser.add_argument("--bulan", default="", help="YYYY-MM; last month if not given")

    def handle(self, *args, bulan: str = "", **options):
        if bulan:
            match = re.fullmatch(r"(\d{4})-(\d{2})", bulan)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise CommandError("--bulan is YYYY-MM, e.g. 2026-03")
            year, month = int(match.group(1)), int(match.group(2))
        else:
            year, month = last_month()
        sent = monthly_summaries_send(year=year, month=month)
        self.stdout.write(f"{year}-{month:02d}: {sent} summaries sent")
