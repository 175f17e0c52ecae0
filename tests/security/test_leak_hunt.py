"""Leak hunt (issue 7, must-show): every demo persona — and an anonymous visitor — requests
every URL pattern of ETAGE with the identifiers of the demo world's objects, and each answer
is compared with the declared permission matrix (``tests/security/url_matrix.py``):

- a refused request never gets a page or a file (an unexpected 200 is a leak): only 401,
  403, 404, 405 or the login page;
- POST-only URLs answer GET with 405, and an empty POST of a persona not allowed is refused
  before any form is read;
- no request ever gets a 500;
- every full HTML page it gets says where one is (issue 12): a ``<title>`` that is more than
  the site's name, and exactly one ``<h1>``;
- the API is hunted with each organisation's token, with none, and with a browser session;
- and, separately, an allowed request is not refused (a softer check: the matrix is the
  oracle, the pages may still be right).

The test fails when a URL pattern is not declared in the matrix.

Runtime: the demo world is built once per xdist worker for the whole package (about half a
minute); both security modules together take about five minutes with ``-n 2`` on a shared
2-core machine (PostgreSQL 5 min 20 s, SQLite 5 to 7 min), about 9,000 requests. One test per
persona, so that xdist spreads them.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from etage.accounts.roles import Role
from tests.security import url_matrix as matrix
from tests.security.world import ANONYMOUS, PERSONAS, World, client_as

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or '?'}")
    return names


def test_every_url_pattern_is_declared():
    missing = []
    for name in sorted(set(url_names())):
        namespace = name.split(":", 1)[0]
        if namespace == "admin":
            if not matrix.admin_declared(name):
                missing.append(f"{name}: name it in ADMIN_OPEN or ADMIN_OTHERS")
        elif namespace == "api":
            if name not in matrix.API_ROUTES:
                missing.append(f'{name}: add API_ROUTES["{name}"] = ApiRoute(targets, may)')
        elif name not in matrix.ROUTES:
            missing.append(
                f'{name}: add ROUTES["{name}"] = Route(targets, may[, post_only=True]) — '
                "targets: none / situations() / children(Model, 'kwarg') / objects(Model); "
                "may: on_situation(Action...) / role_is(Role...) / a rule of your own"
            )
    assert not missing, (
        "URL patterns missing from tests/security/url_matrix.py (see its docstring):\n  "
        + "\n  ".join(missing)
    )


def test_the_matrix_names_only_existing_patterns():
    existing = set(url_names())
    stale = (set(matrix.ROUTES) | set(matrix.API_ROUTES)) - existing
    assert not stale, f"Remove from tests/security/url_matrix.py: {sorted(stale)}"


def _refused(response: Any) -> bool:
    if response.status_code in matrix.DENIED:
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location.startswith((LOGIN, ADMIN_LOGIN))
    return False


GATE = re.compile(r"^/situations/(\d+)/archive/\?")


def _archive_gate(response: Any) -> int | None:
    """The archived situation a read is first sent to the reason form of, if any."""
    if response.status_code != 302:
        return None
    found = GATE.match(response["Location"])
    return int(found.group(1)) if found else None


SITE_NAME = "ETAGE"
HEAD_TITLE = re.compile(r"<head\b.*?<title\b[^>]*>(.*?)</title>.*?</head>", re.S | re.I)
H1 = re.compile(r"<h1\b", re.I)
TAG = re.compile(r"<[^>]+>")


def page_heading_problem(response: Any) -> str | None:
    """What is wrong with the title and main heading of a full HTML page, if anything.

    Fragments (HTMX answers, no ``<html``), files and other content types are not pages.
    """
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return None
    content = b"".join(response) if response.streaming else response.content
    page = content.decode("utf-8", "replace")
    if "<html" not in page:
        return None
    found = HEAD_TITLE.search(page)
    title = html.unescape(TAG.sub("", found.group(1))).strip() if found else ""
    # "— ETAGE", "ETAGE", "ETAGE —" all say the site, not the page.
    if not title.replace(SITE_NAME, "").strip(" —-|·:"):
        return f"no title of its own ({title!r})"
    headings = len(H1.findall(page))
    if headings != 1:
        return f"{headings} <h1> (one expected)"
    return None


class Findings:
    def __init__(self, username: str, visible: frozenset[int] = frozenset()) -> None:
        self.username = username
        #: Situations the persona may view: being sent to the reason form of one of them
        #: (an archived situation) says nothing the persona may not know.
        self.visible = visible
        self.leaks: list[str] = []
        self.errors: list[str] = []
        self.misses: list[str] = []
        self.untitled: list[str] = []
        self.requests = 0

    def check(
        self, name: str, url: str, response: Any, *, allowed: bool, reached: frozenset[int]
    ) -> None:
        self.requests += 1
        status = response.status_code
        where = f"{name} {url} → {status}"
        if status >= 500:
            self.errors.append(where)
            return
        problem = page_heading_problem(response)
        if problem:
            self.untitled.append(f"{where}: {problem}")
        refused = _refused(response)
        gate = _archive_gate(response)
        if not allowed:
            if not refused and gate not in self.visible:
                self.leaks.append(
                    where + (f" {response.get('Location', '')}" if status == 302 else "")
                )
        elif refused or not (status in reached or gate in self.visible):
            self.misses.append(where)

    def assert_clean(self) -> None:
        assert not self.errors, f"{self.username}: server errors:\n  " + "\n  ".join(self.errors)
        assert not self.leaks, (
            f"{self.username}: answers the matrix refuses (leaks):\n  " + "\n  ".join(self.leaks)
        )
        assert not self.misses, (
            f"{self.username}: refused though the matrix allows it:\n  " + "\n  ".join(self.misses)
        )
        assert not self.untitled, (
            f"{self.username}: pages without a title of their own or without exactly one "
            "<h1>:\n  " + "\n  ".join(self.untitled)
        )


def _hunt_pages(world: World, username: str, client: Client, findings: Findings) -> None:
    user = world.users.get(username)
    for name, route in matrix.ROUTES.items():
        for target in route.targets(world, user):
            url = reverse(name, kwargs=target.kwargs) + (f"?{target.query}" if target.query else "")
            allowed = route.may(world, user, target.subject)
            if route.post_only:
                findings.check(name, url, client.get(url), allowed=False, reached=frozenset())
                if not allowed:
                    response = client.post(url, {})
                    findings.requests += 1
                    if response.status_code >= 500:
                        findings.errors.append(f"{name} {url} (POST) → {response.status_code}")
                    elif response.status_code not in (*matrix.DENIED, 302):
                        findings.leaks.append(f"{name} {url} (POST) → {response.status_code}")
                continue
            findings.check(name, url, client.get(url), allowed=allowed, reached=route.reached)


def _hunt_admin(world: World, username: str, client: Client, findings: Findings) -> None:
    user = world.users.get(username)
    is_admin = user is not None and user.role == Role.ADMIN
    for name, url in matrix.admin_targets():
        response = client.get(url)
        if is_admin:
            # Administrators configure: their answers are the back-office's own (its model
            # permissions); only a 500 is a finding.
            findings.requests += 1
            if response.status_code >= 500:
                findings.errors.append(f"{name} {url} → {response.status_code}")
            continue
        findings.check(name, url, response, allowed=False, reached=frozenset())


def _hunt_api_with_session(client: Client, findings: Findings) -> None:
    """A browser session never opens the API (tokens only)."""
    for name, route in matrix.API_ROUTES.items():
        for target in list(route.targets())[:3]:
            url = route.path or reverse(name, kwargs=target.kwargs)
            allowed = name == "api:schema"
            findings.check(name, url, client.get(url), allowed=allowed, reached=frozenset({200}))


@pytest.mark.parametrize("username", [*PERSONAS, ANONYMOUS])
def test_no_persona_reaches_what_the_matrix_refuses(world, username):
    client = client_as(world, username)
    user = world.users.get(username)
    findings = Findings(username, world.visible(user))
    _hunt_pages(world, username, client, findings)
    _hunt_admin(world, username, client, findings)
    _hunt_api_with_session(client, findings)
    assert findings.requests > 100
    findings.assert_clean()


def _api_organisations() -> list[str]:
    codes = sorted({code for username in PERSONAS for code in [_org_of(username)]})
    return [*codes, ""]


def _org_of(username: str) -> str:
    from etage.demo import reference as ref

    territory, slug = username.split("-", 1)
    for role, code in ref.ROLE_ORGS[territory.upper()].items():
        if ref.ROLE_SLUGS[role] == slug:
            return code
    return next(p.organisation for p in ref.PARTNER_ACCOUNTS[territory.upper()] if p.slug == slug)


@pytest.mark.parametrize("code", _api_organisations())
def test_each_token_reads_only_its_organisations_data(world, code):
    """With the token of organisation ``code`` (or none): referrals of that organisation
    only, imports of that landlord only; nothing without a token but the schema."""
    from etage.organisations.models import Organisation

    organisation = Organisation.objects.get(code=code) if code else None
    headers = {"Authorization": f"Bearer {world.tokens[code]}"} if code else {}
    client = Client(headers=headers)
    findings = Findings(f"token {code or '(none)'}")
    for name, route in matrix.API_ROUTES.items():
        for target in route.targets():
            url = route.path or reverse(name, kwargs=target.kwargs)
            allowed = route.may(organisation, target.subject) if code else name == "api:schema"
            findings.check(name, url, client.get(url), allowed=allowed, reached=frozenset({200}))
    assert findings.requests > 10
    findings.assert_clean()


class _Page:
    """Just enough of a response for :func:`page_heading_problem`."""

    streaming = False

    def __init__(self, content: str, status: int = 200, kind: str = "text/html") -> None:
        self.content = content.encode()
        self.status_code = status
        self.headers = {"Content-Type": f"{kind}; charset=utf-8"}

    def get(self, key: str, default: str = "") -> str:
        return self.headers.get(key, default)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("<html><head><title>My work — ETAGE</title></head><body><h1>My work</h1>", None),
        ("<html><head><title> — ETAGE</title></head><body><h1>My work</h1>", "no title"),
        ("<html><head></head><body><h1>My work</h1>", "no title"),
        ("<html><head><title>Home — ETAGE</title></head><body><p>…</p>", "0 <h1>"),
        ("<html><head><title>Home — ETAGE</title></head><h1>A</h1><h1>B</h1>", "2 <h1>"),
        # An SVG's <title> in the body is not the page's.
        ("<html><head></head><body><h1>Map</h1><svg><title>Map</title></svg>", "no title"),
        # A fragment (HTMX) is not a page.
        ("<section><h2>Results</h2></section>", None),
    ],
)
def test_page_titles_and_headings_are_checked(content, problem):
    found = page_heading_problem(_Page(content))
    assert (found is None) if problem is None else (found and found.startswith(problem))


def test_only_full_html_pages_are_checked():
    assert page_heading_problem(_Page("<html><head></head>", status=403)) is None
    assert page_heading_problem(_Page("<html><head></head>", kind="application/pdf")) is None
