"""CSP without inline script or style (data-protection.md #19): the policy sent with every
page allows only this site's own files, and no template holds what that policy would block
(inline ``<script>`` bodies, ``<style>`` elements, ``style=`` or ``on…=`` attributes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
#: Rendered to PDF by WeasyPrint, never sent to a browser: their <style> is not under the CSP.
#: The evaluation report is also a standalone file, downloaded as an attachment and read from
#: disk (its CSS must travel inside it), never shown as a page of the site.
PDF_TEMPLATES = {
    "templates/reports/minutes.html",
    "templates/privacy/person_file_pdf.html",
    "templates/evaluation/report_document.html",
}
TEMPLATES = sorted(
    p
    for base in (ROOT / "templates", ROOT / "etage")
    for p in base.rglob("*.html")
    if "/email/" not in str(p) and str(p.relative_to(ROOT)) not in PDF_TEMPLATES
)


class _Blocked(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _value in attrs}
        if tag == "script":
            if "src" not in names:
                self.problems.append("<script> sans src")
            self._in_script = True
        if tag == "style":
            self.problems.append("<style>")
        if "style" in names:
            self.problems.append(f"<{tag} style=…>")
        self.problems += [f"<{tag} {n}=…>" for n in names if n.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("script en ligne")


def blocked_by_csp(html: str) -> list[str]:
    parser = _Blocked()
    # Template tags are not HTML: blank them so that attributes stay parseable.
    parser.feed(re.sub(r"{[%{#].*?[%}#]}", " ", html, flags=re.DOTALL))
    return parser.problems


def test_the_lint_finds_what_csp_blocks():
    assert blocked_by_csp('<script>alert(1)</script><p style="color:red" onclick="x()">') == [
        "<script> sans src",
        "script en ligne",
        "<p style=…>",
        "<p onclick=…>",
    ]
    assert blocked_by_csp('<script src="/static/x.js" defer></script>') == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_what_the_csp_blocks(path: Path):
    assert blocked_by_csp(path.read_text()) == []


@pytest.mark.django_db
def test_pages_are_sent_with_a_self_only_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert blocked_by_csp(response.content.decode()) == []
