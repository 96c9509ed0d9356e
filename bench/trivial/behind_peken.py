"""The trivial view behind Peken's whole middleware stack (production settings, Peken's cache).

The gap between this and bench.trivial.settings is what Peken's middleware costs any page
(security and CSP headers, sessions, language, CSRF, messages, the page cache's lookup);
the gap between this and a shared Peken page is what filling the page costs.
"""

from peken.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.trivial.behind_peken_urls"
