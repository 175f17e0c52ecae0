"""The French user guide (docs/guide/) and its pictures: every picture a page shows exists,
every picture in the directory is shown by a page, and every picture is one the guide's
persona journeys take (tests/browser/personas/, ``make guide``) — no hand-made image."""

from __future__ import annotations

import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
IMAGES = GUIDE / "images"
#: One file per persona; each takes the pictures of its page of the guide.
JOURNEYS = ROOT / "tests" / "browser" / "personas"
PERSONA_FILES = {
    "test_signalement.py",
    "test_professionnel.py",
    "test_coordination.py",
    "test_recouvrement.py",
    "test_pilotage.py",
    "test_evaluation.py",
    "test_dpd.py",
    "test_admin.py",
}
PERSONA_PAGES = {
    "signalement.md",
    "professionnel.md",
    "coordination.md",
    "recouvrement.md",
    "pilotage.md",
    "evaluation.md",
    "dpd.md",
    "administration.md",
}
IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(images/([^)]+)\)")
MD_LINK = re.compile(r"\]\(([a-z-]+\.md)\)")


def _pages() -> list[Path]:
    return sorted(GUIDE.glob("*.md"))


def _shown() -> dict[str, list[str]]:
    """Picture file name → the guide pages that show it."""
    shown: dict[str, list[str]] = {}
    for page in _pages():
        for _alt, name in IMAGE_LINK.findall(page.read_text(encoding="utf-8")):
            shown.setdefault(name, []).append(page.name)
    return shown


def _taken() -> set[str]:
    """The pictures the persona journeys take: ``shot(page, "name", …)``."""
    names = [
        name
        for path in sorted(JOURNEYS.glob("test_*.py"))
        for name in re.findall(r"\bshot\(\s*\w+,\s*\"([a-z0-9-]+)\"", path.read_text("utf-8"))
    ]
    assert len(names) == len(set(names)), "une capture porte le nom d'une autre"
    return {f"{name}.png" for name in names}


def test_the_guide_has_an_index_and_one_page_per_person() -> None:
    assert {p.name for p in _pages()} == PERSONA_PAGES | {"README.md"}
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    assert set(MD_LINK.findall(index)) >= PERSONA_PAGES
    assert "Premier jour sur la démo" in index
    assert "make demo" in index
    assert "etage-demo-2026" in index


def test_every_picture_shown_exists_and_every_picture_is_shown() -> None:
    shown = _shown()
    on_disk = {p.name for p in IMAGES.iterdir()}
    missing = sorted(set(shown) - on_disk)
    assert not missing, f"images absentes de docs/guide/images (lancer make guide) : {missing}"
    unused = sorted(on_disk - set(shown))
    assert not unused, f"images montrées par aucune page du guide : {unused}"


def test_there_is_one_journey_file_per_person() -> None:
    assert {p.name for p in JOURNEYS.glob("test_*.py")} == PERSONA_FILES


def test_every_picture_is_taken_by_the_persona_journeys() -> None:
    on_disk = {p.name for p in IMAGES.iterdir()}
    assert on_disk == _taken(), (
        "docs/guide/images ne correspond pas aux captures de tests/browser/personas/"
    )


def test_every_picture_has_a_description_and_is_a_screen_sized_png() -> None:
    for page in _pages():
        for alt, name in IMAGE_LINK.findall(page.read_text(encoding="utf-8")):
            assert len(alt.strip()) >= 10, f"{page.name} : texte alternatif trop court pour {name}"
    for path in IMAGES.iterdir():
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", path.name
        assert struct.unpack(">II", header[16:24]) == (1280, 800), path.name
