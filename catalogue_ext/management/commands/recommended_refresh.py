"""Rank every listing into Rekomendasi's table now (the beat task does it every few minutes).

Run at release, so the first pages after a deploy are in Rekomendasi order rather than newest first.
"""

from django.core.management.base import BaseCommand

from catalogue_ext.services import recommended_listings_refresh


class Command(BaseCommand):
    help = "Rank the catalogue and every category into Rekomendasi's table."

    def handle(self, *args, **options):
        count = recommended_listings_refresh()
        self.stdout.write(f"{count} listings ranked")
