"""The header search box in headless Chromium: forgives a typo, keeps the query, suggests as you type."""

import re

import pytest

from peken import demo
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shopper_misspells_rice_and_is_helped(open_page, shots):
    # given the demo marketplace
    demo.demo_load()
    page = open_page(DESKTOP)
    page.goto("/")

    # when the shopper types a misspelt word in the header box and submits
    box = page.locator("header, nav").locator("input#id_q")
    box.fill("berass")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=berass"))

    # then rice is listed, the right word is offered, and the box still holds what was typed
    titles = page.locator(".peken-card-title").all_inner_texts()
    assert titles and "beras" in titles[0].lower(), titles
    assert "Mungkin maksud Anda:" in page.locator(".peken-search-correction").inner_text()
    assert page.locator("input#id_q").input_value() == "berass"
    shots(page, "correction")

    # and following the offer searches the corrected word
    page.locator(".peken-search-correction a").click()
    page.wait_for_url(re.compile(r"/search/\?q=beras$"))
    assert page.locator("input#id_q").input_value() == "beras"

    # and typing the start of a word fills the box's suggestions (the static script, no inline code)
    page.locator("input#id_q").fill("minyak gor")
    options = page.locator("#peken-search-suggestions option")
    options.first.wait_for(state="attached")
    assert any(
        "minyak goreng" in value.lower() for value in options.evaluate_all("nodes => nodes.map(n => n.value)")
    )
