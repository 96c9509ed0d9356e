"""Point the Sites framework at the real host: `manage.py peken_site` (the Procfile's release runs it)."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Set the current Site's domain to PEKEN_SITE_DOMAIN and its name to the shop's, so links "
        "in emails (password reset, registration, orders) point at this host."
    )

    def handle(self, *args, **options):
        domain = settings.PEKEN_SITE_DOMAIN.strip()
        if not domain:
            raise CommandError("PEKEN_SITE_DOMAIN is empty: set it to the host name visitors use.")
        site, _created = Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.OSCAR_SHOP_NAME}
        )
        self.stdout.write(self.style.SUCCESS(f"Site {site.pk}: {site.domain} ({site.name})"))
