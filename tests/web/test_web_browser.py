"""The web view in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium through /usr/bin/chromedriver; nothing is downloaded): a person's path through the
demo data, and hostile policy text that must stay inert text on every page."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from readonly_role import read_only_url

from tracker.normalize import normalize
from tracker.store import add_document
from tracker.store.db import open_database
from tracker.store.models import Capture, JobRun
from tracker.versions.derive import place_capture
from tracker.web import WebServer, create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")

HOSTILE_NAME = '<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2">'
HOSTILE_TEXTS = (
    "<script>window.pwned=3</script> We share data with partners.",
    '<a href="javascript:window.pwned=4">click here</a> to opt out of sale of data.',
    'Cookies " onmouseover="window.pwned=5" data-x=" are kept for 30 days.',
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The web view over the database `tracker demo` builds from the bundled sample."""
    from tracker.cli.demo import run_demo

    workdir = tmp_path_factory.mktemp("demo")
    run_demo(workdir, lambda line: None)
    with WebServer(create_app(f"sqlite:///{workdir / 'tracker.db'}")) as server:
        yield server.url


def _html(paragraphs: list[str], heading: str) -> bytes:
    from html import escape

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>Privacy</title></head><body><main><h1>Privacy Policy</h1>"
            f"<h2>{escape(heading)}</h2>{body}</main></body></html>").encode()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A provider, a document, a heading and clauses made of markup and quote tricks, stored
    through the tracker's own normalizer and store, with a failed check whose error is hostile."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'tracker.db'}"
    sessions = open_database(url)
    ordinary = ["We collect your name and e-mail address when you register for an account.",
                "You can ask us to delete your account at any time by writing to us."]
    pages = [ordinary + list(HOSTILE_TEXTS[:2]),
             ordinary[:1] + [t.replace("30 days", "90 days") for t in HOSTILE_TEXTS] + ["We do not sell data."]]
    with sessions.begin() as session:
        doc = add_document(session, "https://hostile.example/privacy", HOSTILE_NAME, HOSTILE_NAME)
        for i, paragraphs in enumerate(pages):
            when = datetime(2015 + 3 * i, 1, 1)
            capture = Capture(document_id=doc.id, url="https://hostile.example/privacy",
                              timestamp=f"{when:%Y%m%d%H%M%S}", captured_at=when, urlkey="example,hostile)/privacy",
                              mimetype="text/html", statuscode="200", cdx_digest=f"H{i}", length="1", state="fetched")
            if i:  # the second text as an imported record whose source names and links are hostile
                capture.source, capture.source_ref, capture.source_url = "file", HOSTILE_NAME, "javascript:window.pwned=6"
            session.add(capture)
            session.flush()
            place_capture(session, capture, normalize(_html(paragraphs, HOSTILE_NAME)).blocks)
        session.add(JobRun(job="check", document_id=doc.id, outcome="failed",
                           started_at=datetime(2020, 1, 1), finished_at=datetime(2020, 1, 1) + timedelta(seconds=1),
                           error=HOSTILE_TEXTS[0]))
        doc_id = doc.id
    sessions.kw["bind"].dispose()
    with WebServer(create_app(read_only_url(url))) as server:
        yield server.url, doc_id


def follow(browser, element, keys=None) -> None:
    """Click `element` (or type `keys` into it) and wait until the next page has replaced this one.
    While the documents change over, Chromium may answer the staleness check with an inspector
    error ("Node with given id does not belong to the document") instead of "stale": asked
    again, it says stale."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = browser.find_element("tag name", "html")
    element.send_keys(*keys) if keys else element.click()
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(expected_conditions.staleness_of(page))


def _text(browser) -> str:
    return browser.find_element("tag name", "body").text


def test_a_reader_goes_from_providers_to_a_filtered_step_and_searches(browser, demo_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(demo_site + "/")
    table = browser.find_element(By.ID, "providers").text
    assert all(name in table for name in ("voip.com", "onebox.com", "avoxi.com"))

    follow(browser, browser.find_element(By.LINK_TEXT, "onebox.com"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "onebox.com / Privacy Policy"
    # 2009 and 2013 from archive captures, 2014 from the seed text imported beside them
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.chart svg rect.band")) == 3
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart svg rect.bar-material")

    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "v1 → v2"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "v1 → v2"
    summary = browser.find_element(By.ID, "summary").text
    assert summary.startswith("4 material, 37 cosmetic")
    assert browser.find_element(By.ID, "shown").text == "41 change(s) shown."
    assert browser.find_elements(By.CSS_SELECTOR, "article.is-cosmetic")
    assert browser.find_elements(By.CSS_SELECTOR, "article del, article ins")  # the word-level redline

    browser.find_element(By.ID, "material-only").click()
    follow(browser, browser.find_element(By.ID, "apply-filters"))
    assert browser.find_element(By.ID, "shown").text == "4 change(s) shown."
    articles = browser.find_elements(By.CSS_SELECTOR, "article.change")
    assert len(articles) == 4 and not browser.find_elements(By.CSS_SELECTOR, "article.is-cosmetic")
    assert "material=true" in browser.current_url

    box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
    follow(browser, box, ("personally identifiable", Keys.ENTER))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Search clause text"
    hits = browser.find_elements(By.CSS_SELECTOR, "ul.hits li")
    assert browser.find_element(By.ID, "hit-count").text.startswith(f"{len(hits)} matching clause(s)")
    assert hits and any("onebox.com / Privacy Policy" in hit.text for hit in hits)
    marks = [m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "ul.hits mark")]
    # porter stemming: "personal identifiable" is the same phrase
    assert "personally identifiable" in marks and all(m.startswith("personal") for m in marks), marks
    follow(browser, hits[0].find_element(By.LINK_TEXT, "history"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Clause history"
    assert "personally identifiable" in _text(browser)


def test_side_by_side_view_and_a_step_between_two_dates(browser, demo_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(demo_site + "/")
    follow(browser, browser.find_element(By.LINK_TEXT, "voip.com"))
    browser.find_element(By.NAME, "from").send_keys("2006")
    browser.find_element(By.NAME, "to").send_keys("2013")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.compare button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "v1 → v2"
    Select(browser.find_element(By.NAME, "view")).select_by_value("side")
    follow(browser, browser.find_element(By.ID, "apply-filters"))
    pairs = browser.find_elements(By.CSS_SELECTOR, ".side-by-side")
    assert pairs and all(len(p.find_elements(By.CSS_SELECTOR, ".old, .new")) == 2 for p in pairs)
    assert not browser.find_elements(By.CSS_SELECTOR, ".side-by-side .old ins, .side-by-side .new del")


INERT = """
const attrs = [];
for (const el of document.querySelectorAll('*'))
  for (const a of el.attributes)
    if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) attrs.push(el.tagName + ' ' + a.name);
return {scripts: document.scripts.length, imgs: document.images.length, attrs: attrs,
        pwned: window.pwned === undefined ? null : window.pwned};
"""


def test_hostile_policy_text_is_inert_text_on_every_page(browser, hostile_site):
    from selenium.webdriver.common.by import By

    base, doc_id = hostile_site
    pages = ["/", f"/documents/{doc_id}", f"/documents/{doc_id}/versions/1", f"/documents/{doc_id}/versions/2",
             f"/documents/{doc_id}/diff?from=v1&to=v2", f"/documents/{doc_id}/diff?from=v1&to=v2&view=side",
             "/search?q=opt+out", f"/search?q=kept&provider={HOSTILE_NAME}"]
    browser.get(base + f"/documents/{doc_id}/versions/2")
    clause_links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.history")]
    for page in pages + clause_links[-3:]:
        browser.get(page if page.startswith("http") else base + page)
        found = browser.execute_script(INERT)
        assert found == {"scripts": 0, "imgs": 0, "attrs": [], "pwned": None}, page
        text = _text(browser)
        assert "<script>" in text or "javascript:" in text or '" onmouseover=' in text or HOSTILE_NAME in text, page
    browser.get(base + f"/documents/{doc_id}/versions/2")
    assert f"imported: file {HOSTILE_NAME}" in _text(browser).replace("\n", " ")
    browser.get(base + "/")
    assert HOSTILE_NAME in _text(browser)  # the name shown as the characters it is
    assert "last check failed: <script>window.pwned=3</script>" in _text(browser)
    browser.get(base + f"/documents/{doc_id}/diff?from=v1&to=v2")
    assert HOSTILE_TEXTS[2].replace("30 days", "90 days") in _text(browser).replace("\n", " ") \
        or '" onmouseover="window.pwned=5"' in _text(browser)
