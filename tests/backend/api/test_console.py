"""The console page in a real browser: Debian's headless Chromium driven by ChromeDriver."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import Api

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert shutil.which(CHROMEDRIVER), "scripts/dev test installs Debian chromium + chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # The machine's network is closed: background traffic only slows Chromium down.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_console_holds_a_call_with_handoffs_and_live_facts(browser, api: Api, local_group: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(f"{api.base_url}/console/")
    browser.find_element(By.ID, "key").send_keys(api.key)
    browser.find_element(By.ID, "name").send_keys("Console Tester")
    browser.find_element(By.ID, "start-call").click()
    wait.until(seen.visibility_of_element_located((By.ID, "call")))
    assert browser.find_element(By.ID, "agent").text == "Triage"

    browser.find_element(By.ID, "text").send_keys("We need 3 bedrooms in Coogee, budget 2.4 million\n")
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "#handoffs li.handoff")))
    handoff = browser.find_element(By.CSS_SELECTOR, "#handoffs li.handoff").text
    assert handoff.startswith("Triage → Property Search")
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#conversation li.agent")) == 2)
    wait.until(seen.text_to_be_present_in_element((By.ID, "agent"), "Property Search"))
    wait.until(lambda b: "2,400,000" in b.find_element(By.ID, "facts").text)
    facts = browser.find_element(By.ID, "facts").text
    assert "now" in facts, "an open validity interval"

    browser.find_element(By.ID, "text").send_keys("Actually make the budget 2.1 million\n")
    wait.until(lambda b: "2,100,000" in b.find_element(By.ID, "facts").text)
    assert browser.find_element(By.ID, "error").text == ""
