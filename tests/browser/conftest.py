"""Browser journeys in Debian's Chromium (no browser download), with an axe-core audit of
every page visited. Run with ``make test-browser``; ``.ci/run`` installs Chromium."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# in that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, ViewportSize, sync_playwright

from etage.demo.reference import DEMO_PASSWORD

CHROMIUM = os.environ.get("ETAGE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium from calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db: None) -> None:
    from etage.demo.services import demo_build_reference

    demo_build_reference(seed=1)


def demo_site_with_history(*, seed: int, count: int) -> None:
    """The demo reference and a demo history, replayed when this worker already built them
    (tests/replay.py). A journey starts from what the previous journey's flush left, whose
    automatic ids differ from one journey to the next; a flush that resets the sequences makes
    that starting state the same every time, so the replay applies."""
    from django.core.management import call_command

    from tests import replay

    call_command("flush", interactive=False, reset_sequences=True, verbosity=0)
    replay.demo_reference(seed=1)
    replay.demo_history(seed=seed, count=count)


_axe = Axe()


@dataclass(frozen=True)
class AuditRecord:
    path: str
    blocking: int
    other: int


#: Every ``audit(page)`` of the run, for the summary printed at the end (``.ci/run``'s log).
AUDITS: list[AuditRecord] = []


def audit(page: Page) -> None:
    """Fail on any serious or critical axe-core violation of WCAG 2.1 A/AA on this page; every
    call is recorded for the summary printed at the end of the run."""
    # A click that follows a link returns once the next page has started loading; axe must
    # read that page once it is whole, not the empty document of the first instant.
    page.wait_for_load_state("load")
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    AUDITS.append(
        AuditRecord(urlsplit(page.url).path, len(blocking), len(violations) - len(blocking))
    )
    assert not blocking, f"axe sur {page.url} :\n" + "\n".join(blocking)


def _route(path: str) -> str:
    """``/situations/42/etape/inform/`` → ``/situations/<n>/etape/inform/``: one address per
    kind of page, not per object."""
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)


def audit_summary(records: list[AuditRecord]) -> list[str]:
    routes = Counter(_route(r.path) for r in records)
    blocking = sum(r.blocking for r in records)
    other = sum(r.other for r in records)
    lines = [
        f"Audit axe-core : {len(records)} pages auditées ({len(routes)} adresses distinctes), "
        + (
            "0 violation grave ou critique"
            if not blocking
            else f"{blocking} violation(s) grave(s) ou critique(s)"
        )
        + f" ; {other} violation(s) mineure(s) ou modérée(s)"
    ]
    lines += [f"  {route} ×{count}" for route, count in sorted(routes.items())]
    lines += [f"  VIOLATION sur {r.path} : {r.blocking}" for r in records if r.blocking]
    return lines


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist (``make test-browser`` runs two workers), each worker hands its
    records to the controlling process, which prints the summary of the whole run."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["axe_audits"] = [asdict(record) for record in AUDITS]


def pytest_testnodedown(node: Any, error: Any) -> None:
    AUDITS.extend(AuditRecord(**record) for record in node.workeroutput.get("axe_audits", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not AUDITS:
        return
    terminalreporter.section("accessibilité")
    for line in audit_summary(AUDITS):
        terminalreporter.write_line(line)


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/compte/connexion/")
    audit(page)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Iterator[Any]:
    """``open_as("t1-coordination")`` → a logged-in page in its own browser context, so that
    several people can act in one test as they would on their own computers."""
    contexts = []

    def make(username: str) -> Page:
        context = browser.new_context(locale="fr-FR", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, username)
        return page

    yield make
    for context in contexts:
        context.close()


#: What the keyboard user sees of the element that has the focus: its name, and the focus
#: indicator drawn by the stylesheet (outline or box-shadow).
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const name = (el.labels && el.labels.length ? el.labels[0].innerText : '')
    || el.getAttribute('aria-label') || el.innerText || el.value || '';
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.getAttribute('type') || '',
    name: name.trim().replace(/\\s+/g, ' ').slice(0, 80),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow, width: box.width, height: box.height,
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    """The focused element, asserted to show a visible focus indicator: an outline of at least
    2 px or a box-shadow, on an element that takes room on the page."""
    info = page.evaluate(_FOCUSED)
    assert info is not None, f"focus perdu (sur le document) sur {page.url}"
    outline = info["outlineStyle"] not in ("none", "hidden") and info["outlineWidth"] >= 2
    shadow = info["boxShadow"] not in ("", "none")
    assert outline or shadow, f"focus invisible sur {page.url} : {info}"
    assert min(info["width"], info["height"]) > 0, f"focus sur un élément caché : {info}"
    return info


def tab_to(page: Page, selector: str, *, max_tabs: int = 80, backwards: bool = False) -> list:
    """Press Tab (Shift+Tab) until the focused element matches ``selector``, checking the
    focus indicator at every stop. Returns the stops, in order, to check the focus order."""
    stops = []
    for _ in range(max_tabs):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if not page.evaluate("document.hasFocus()"):
            continue  # past the last control, a browser gives the focus to its own toolbar
        stops.append(focused(page))
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    names = [f"{s['tag']}#{s['id']} {s['name']}" for s in stops]
    raise AssertionError(f"{selector} jamais atteint au clavier sur {page.url} : {names}")


# Screenshots of the French user guide (docs/guide/), taken by the journeys of
# tests/browser/personas/ on the demo data. ``make guide`` sets ETAGE_GUIDE_SHOTS.
GUIDE_SHOTS_ENV = "ETAGE_GUIDE_SHOTS"
GUIDE_VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
GUIDE_SHOT_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Text that changes every day (the date of the day on "Mon travail"): hidden in the pictures,
# so that regenerating the guide only changes what the product shows.
_HIDE_VOLATILE = """() => {
  for (const el of document.querySelectorAll("main p")) {
    if (/^Nous sommes le /.test(el.textContent.trim())) el.style.visibility = "hidden";
  }
}"""


def shot(page: Page, name: str, *, target: Locator | None = None) -> Path | None:
    """Save a picture of ``page`` as ``<ETAGE_GUIDE_SHOTS>/<name>.png`` for the user guide, or
    do nothing when the variable is unset (an ordinary test run). ``target`` is scrolled into
    view first. Same viewport every time, after the network is idle; reduced to a 256-colour
    palette so that the guide stays light in the repository."""
    directory = os.environ.get(GUIDE_SHOTS_ENV)
    if not directory:
        return None
    assert GUIDE_SHOT_NAME.match(name), f"nom d'image invalide : {name}"
    if page.viewport_size != GUIDE_VIEWPORT:
        page.set_viewport_size(GUIDE_VIEWPORT)
    page.wait_for_load_state("networkidle")
    if target is not None:
        target.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.evaluate(_HIDE_VOLATILE)
    raw = page.screenshot(type="png", full_page=False, animations="disabled", caret="hide")
    path = Path(directory) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Pillow comes with matplotlib (a dependency): a palette PNG is a third of the size.
    import io

    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)
    return path
