"""Headless Chromium (Debian's package) driven by Playwright against the live test server.

Screenshots of every step go to screenshots/<test name>/ (git-ignored), so a
person can look at what the shopper saw. Every screenshotted page is checked
first (``check_page``): nothing scrolls sideways, and axe-core finds no
critical or serious accessibility violation.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django calls the
# test makes around it (loading data, reading results) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM = os.environ.get("PEKEN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NARROW_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}

# axe-core impacts that fail a page; "moderate" and "minor" are left to review.
BLOCKING_IMPACTS = ("critical", "serious")

# The page's width against the screen's, and the widest elements sticking out,
# skipping those inside a box that scrolls or clips sideways (they do not widen
# the page). A phone's Chromium widens innerWidth itself to fit a page that is too
# wide, so the screen's width is the one the context was opened with.
_OVERFLOW_JS = """width => {
  const total = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  if (total <= width) return {width, total, culprits: []};
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 3).map(c => '.' + c).join('');
  const culprits = [...document.body.querySelectorAll('*')]
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 0 && r.right > width + 0.5 && !clipped(el))
    .sort((a, b) => b[1].right - a[1].right).slice(0, 6)
    .map(([el, r]) => `${name(el)} (right edge ${Math.round(r.right)}px, ${Math.round(r.width)}px wide)`);
  return {width, total, culprits};
}"""


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is needed for browser tests ({CHROMIUM}); run `make test`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def overflow_problems(page) -> list[str]:
    """What makes the page scroll sideways (empty when nothing does)."""
    found = page.evaluate(_OVERFLOW_JS, page.viewport_size["width"])
    if found["total"] <= found["width"]:
        return []
    return [
        f"page is {found['total']}px wide on a {found['width']}px screen; widest: "
        + "; ".join(found["culprits"])
    ]


def axe_problems(page) -> list[str]:
    """axe-core's critical and serious violations on the page, one line each."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(results => results.violations)"
    )
    problems = []
    for v in violations:
        if v["impact"] not in BLOCKING_IMPACTS:
            continue
        first = next((c["message"] for c in v["nodes"][0]["any"] + v["nodes"][0]["all"]), "")
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:8])
        problems.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets} (first: {first})")
    return problems


def page_problems(page, *, axe: bool = True) -> list[str]:
    url = page.url.split("://", 1)[-1].split("/", 1)[-1]
    width = page.viewport_size["width"]
    problems = overflow_problems(page) + (axe_problems(page) if axe else [])
    return [f"/{url} at {width}px: {problem}" for problem in problems]


def check_page(page, *, axe: bool = True) -> None:
    """Fails unless the page fits its viewport's width and (with ``axe``) axe finds nothing serious."""
    problems = page_problems(page, axe=axe)
    assert not problems, "\n".join(problems)


def open_menu(page) -> None:
    """Unfolds the header menu where it is folded (phones); on a desktop it is already open."""
    toggler = page.locator('button[data-target="#navbarSupportedContent"]')
    if toggler.is_visible():
        toggler.click()
        page.locator("#navbarSupportedContent.show").wait_for()


class Shots:
    """Numbered full-page screenshots of one test's steps; each checked (``check_page``) after its shot."""

    def __init__(self, name: str):
        self.folder = SCREENSHOTS / re.sub(r"[^\w-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, step: str, *, check: bool = True, axe: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if check:
            check_page(page, axe=axe)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name)


@pytest.fixture(params=list(SCREENS))
def screen(request) -> dict:
    """The story's screen: run once on a phone (390 px) and once on a desktop."""
    return SCREENS[request.param]


_CSP_LISTENER_JS = """document.addEventListener('securitypolicyviolation', e => window.pekenCspViolation(
  `${e.violatedDirective} ${e.blockedURI || 'inline'} at ${e.documentURI}`
  + ` (${e.sourceFile}:${e.lineNumber})`));"""


@pytest.fixture
def open_page(chromium, live_server):
    """Opens pages whose relative URLs go to the live server.

    The test fails on any server error and on anything the page's
    Content-Security-Policy refused (a "securitypolicyviolation" event or
    Chromium's "Refused to ... Content Security Policy" console message).
    """
    contexts, errors = [], []

    def open_(screen: dict):
        context = chromium.new_context(base_url=live_server.url, timezone_id="Asia/Jakarta", **screen)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        # Anything the Content-Security-Policy blocked (an inline script or handler, a foreign
        # script): the page's own behaviour would be missing, so the story fails.
        page.expose_function("pekenCspViolation", lambda text: errors.append(f"CSP blocked {text}"))
        page.add_init_script(_CSP_LISTENER_JS)
        page.on(
            "console",
            lambda m: errors.append(f"console: {m.text}") if "Content Security Policy" in m.text else None,
        )
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def sign_in(page, email: str, password: str) -> None:
    """Sign in through Oscar's login page, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_login-username", email)
    page.fill("#id_login-password", password)
    page.locator("button[name=login_submit]").click()
