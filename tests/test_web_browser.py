"""The web app in a real browser: Debian's headless Chromium against a real `voicebridge web` process on loopback.

Sign-in and lockout, role limits, another business's call, CSRF rejection; screenshots of the pages go to
$VOICEBRIDGE_SCREENSHOTS when it is set (that is how docs/screenshots/ is made).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import browser
from tests.web_helpers import PASSWORD
from tests.web_server import WebProcess, start

pytestmark = pytest.mark.skipif(not browser.available(), reason="needs Debian's chromium and chromium-driver (scripts/install.sh installs them)")

CALL_A = "aaaa1111-0000-4000-8000-000000000001"
CALL_B = "bbbb1111-0000-4000-8000-000000000003"


def shoot(driver: WebDriver, name: str, tmp_path: Path, width: int = 1100, height: int = 900) -> Path:
    folder = Path(os.environ.get("VOICEBRIDGE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, height)
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > 2000
    return path


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebProcess]:
    process = start(tmp_path)
    yield process
    process.stop()


@pytest.fixture
def driver() -> Iterator[WebDriver]:
    with browser.chromium() as d:
        yield d


def test_login_lockout_and_inbox(web: WebProcess, driver: WebDriver, tmp_path: Path) -> None:
    base = web.base
    driver.get(base + "/")
    assert "/login" in driver.current_url
    shoot(driver, "login", tmp_path, 420, 640)
    for _ in range(2):
        browser.sign_in(driver, base, "sam", "not the password")
        browser.wait_text(driver, "#login-error", "Wrong user name or password")
    browser.sign_in(driver, base, "sam", "not the password")
    browser.wait_text(driver, "#login-error", "locked for 15 minutes")
    browser.sign_in(driver, base, "sam", PASSWORD)  # locked: the right password does not help now
    browser.wait_text(driver, "#login-error", "locked")
    browser.sign_in(driver, base, "olga", PASSWORD)
    browser.wait_for(driver, "#calls")
    items = driver.find_elements(By.CSS_SELECTOR, "#calls li")
    assert items[0].get_attribute("data-call") == CALL_A and "emergency" in (items[0].get_attribute("class") or "")
    assert "Patient Schulz" not in driver.page_source
    shoot(driver, "inbox", tmp_path)
    shoot(driver, "inbox-phone", tmp_path, 390, 844)
    driver.find_element(By.ID, "q").send_keys("0171 234 5678")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    browser.wait_url(driver, "q=0171")
    assert [li.get_attribute("data-call") for li in driver.find_elements(By.CSS_SELECTOR, "#calls li")] == [CALL_A]
    driver.get(base + "/privacy")
    driver.find_element(By.ID, "verify").click()
    browser.wait_text(driver, "#verify-result", "Chain intact")
    shoot(driver, "privacy", tmp_path, 1100, 1300)
    driver.get(base + "/users?lang=de")  # German, and it stays German
    browser.wait_text(driver, "h1", "Benutzer")
    shoot(driver, "users-de", tmp_path, 1100, 700)
    driver.get(base + "/")
    browser.wait_text(driver, "h1", "Anrufe")


def test_roles_tenants_and_csrf(web: WebProcess, driver: WebDriver, tmp_path: Path) -> None:
    base = web.base
    browser.sign_in(driver, base, "vic", PASSWORD)  # a viewer reads, but has no forms to change anything
    browser.wait_for(driver, "#calls")
    driver.get(f"{base}/calls/{CALL_A}")
    browser.wait_for(driver, "#transcript")
    assert "Rohrbruch im Keller" in driver.page_source
    assert not driver.find_elements(By.ID, "save-state") and not driver.find_elements(By.ID, "remark")
    driver.get(f"{base}/calls/{CALL_B}")  # another business's call
    browser.wait_text(driver, "#problem", "Not found")
    driver.get(f"{base}/users")
    browser.wait_text(driver, "#problem", "not allowed")

    driver.delete_all_cookies()
    browser.sign_in(driver, base, "sam", PASSWORD)  # staff: works calls, but erases nothing
    browser.wait_for(driver, "#calls")
    driver.get(f"{base}/calls/{CALL_A}")
    driver.find_element(By.CSS_SELECTOR, "#assignee option[value='sam']").click()
    driver.find_element(By.CSS_SELECTOR, "#state option[value='done']").click()
    driver.find_element(By.ID, "save-state").click()
    browser.wait_text(driver, "#call-state", "done")
    shoot(driver, "call", tmp_path, 1100, 1400)
    # A forged form (its token replaced, as a cross-site page would have to) is refused.
    driver.execute_script("document.querySelector(\"form[action$='/remarks'] input[name=csrf_token]\").value = 'forged';")
    driver.find_element(By.ID, "remark").send_keys("should not be stored")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/remarks'] button").click()
    browser.wait_text(driver, "#problem", "did not come from this site")
    driver.get(f"{base}/calls/{CALL_A}")
    assert "should not be stored" not in driver.page_source
    driver.get(f"{base}/privacy")
    browser.wait_text(driver, "#problem", "not allowed")
