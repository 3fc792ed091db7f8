"""The page in a real browser (Debian's chromium driven by Playwright) against `matcalc serve`:
type softmax cross-entropy, submit, read the derivation; open a shared address. Skipped when
chromium or Playwright is absent. MATCALC_UPDATE_SCREENSHOT=1 writes docs/web.png for the README."""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium on this machine (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "matcalc.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith(f"matcalc serving on http://127.0.0.1:{port}/")
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _math_text(locator) -> str:
    """What a <math> element reads, without the invisible operators and spaces."""
    return "".join(ch for ch in locator.text_content() if ch not in "\u2061\u2062 \n")


def test_type_submit_read_share(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 1040})
    page.goto(server + "/")
    page.fill("#f", "-Y' * log(softmax(Z))")
    page.fill("#wrt", "Z")
    page.fill("#sym", "Z = vector(n)\nY = vector(n)")
    page.fill("#assume", "sum(Y) = 1")
    page.click("button[type=submit]")
    page.wait_for_selector(".claim .verdict")
    assert _math_text(page.locator("td.expr").last) == "softmax(Z)−Y"
    assert page.locator("td.rule").last.text_content() == "identity"
    assert page.locator(".verdict").get_attribute("class") == "verdict holds"
    assert page.locator("[data-copy]").first.is_visible()  # the page's one script ran under its policy
    page.click("label[for=code-jax]")  # the code tabs: one pane at a time, by CSS alone
    assert page.locator("#pane-jax").is_visible() and not page.locator("#pane-numpy").is_visible()
    page.click("label[for=code-numpy]")
    shot = ROOT / "docs" / "web.png" if os.environ.get("MATCALC_UPDATE_SCREENSHOT") else tmp_path / "web.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    shared = server + page.locator("a.share").get_attribute("href")
    other = browser.new_page()
    other.goto(shared)
    assert other.locator(".verdict").get_attribute("class") == "verdict holds"
    assert _math_text(other.locator("td.expr").last) == "softmax(Z)−Y"
    assert other.input_value("#sym") == "Z = vector(n)\nY = vector(n)"


def test_an_error_appears_beside_its_field(server, browser):
    page = browser.new_page()
    page.goto(server + "/?f=tr(X&wrt=X&sym=X%3Dmatrix(n,n)")
    assert page.locator("#f").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-error").text_content() == "f:1:5: unexpected end of expression"


def test_latex_typed_with_the_box_ticked(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.fill("#f", r"\operatorname{tr}(A^\top X B)")
    page.fill("#wrt", "X")
    page.check("#latex")
    page.click("button[type=submit]")
    page.wait_for_selector(".claim .verdict")
    assert page.locator(".verdict").get_attribute("class") == "verdict holds"
    assert _math_text(page.locator("td.expr").last) == "AB⊤"
    assert page.is_checked("#latex") and "latex=1" in page.url


def test_the_page_fits_a_phone(server, browser, tmp_path):
    """At 390 px wide: nothing wider than the screen, f wide enough to type in, the submit button and the
    derivation inside the screen (a long step scrolls within its table)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/?f=-Y'*log(softmax(Z))&wrt=Z&sym=Z=vector(n)&sym=Y=vector(n)&assume=sum(Y)=1")
    page.wait_for_selector(".claim .verdict")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#f").bounding_box()["width"] >= 250
    for part in ("button[type=submit]", "table.steps", ".claim .verdict"):
        box = page.locator(part).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    shot = ROOT / "docs" / "web-phone.png" if os.environ.get("MATCALC_UPDATE_SCREENSHOT") else tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
