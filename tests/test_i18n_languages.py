"""Two interface languages, French (default) and English (issue 12), and no string missing in
either: the main pages of every role, rendered in each language, show no text of the other.

- **English** needs no catalogue (the msgids are English): a French string on an English page
  is a catalogue translation leaking (a French msgstr of 12 characters or more, differing from
  its msgid), or French written straight into Python or a template (French interface words,
  once the data of the page — names, communes, organisations — is set aside).
- **French**: an English msgid whose French differs must not show (the French catalogue's
  completeness itself is checked in tests/test_i18n.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polib
import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from tests.test_i18n import PLACEHOLDER, PO_PATH, _VisibleText, english_sources, live_entries

MIN_LENGTH = 12

#: Words of French interface text that English pages never hold outside data: pronouns,
#: articles and verbs of sentences and buttons. A French label hard-coded in Python or a
#: template (not going through gettext) shows one of them.
_FRENCH = """
    vous votre vos nous notre aucun aucune cette ces être avez sont tous toutes leur leurs
    pour avec sans dans depuis selon le la les un une des du au aux et ou est
    enregistrer rechercher filtrer afficher modifier supprimer ajouter créer annuler valider
    retour accueil ménage ménages signalement signalements réunion réunions étape étapes
    échéance échéances déconnexion connexion mot passe indicateurs
"""
FRENCH_WORDS = frozenset(_FRENCH.split())
WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _parts(text: str) -> list[str]:
    return [p.strip() for p in PLACEHOLDER.split(text) if len(p.strip()) >= MIN_LENGTH]


def french_translations(po: polib.POFile) -> list[str]:
    """Literal parts (12 characters or more) of French msgstrs that differ from their msgid
    and that no English msgid says too (the same words may be both, e.g. "Coordination")."""
    sources = "\n".join(e.msgid + "\n" + e.msgid_plural for e in live_entries(po))
    parts: set[str] = set()
    for entry in live_entries(po):
        for text in _translations(entry):
            if text and text not in (entry.msgid, entry.msgid_plural):
                parts.update(p for p in _parts(text) if p not in sources)
    return sorted(parts)


def visible_text(page: str) -> str:
    """Text and the attributes people read (aria-label, title…), entities decoded."""
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return html.unescape("\n".join(parser.chunks))


def data_strings() -> list[str]:
    """What the demo data says in French (names, places, reference lists): data, not
    interface, so it may appear on an English page."""
    from etage.households.models import Person, Tenancy
    from etage.organisations.models import Organisation
    from etage.references.models import ActionTemplate, Theme
    from etage.situations.models import Situation
    from etage.territories.models import Commune, Platform, Territory

    values: list[str] = []
    for model, fields in (
        (Organisation, ("name", "code", "email")),
        (Tenancy, ("address",)),
        (Situation, ("description",)),
        (Territory, ("name",)),
        (Platform, ("name",)),
        (Commune, ("name",)),
        (Theme, ("label",)),
        (ActionTemplate, ("label",)),
        (Person, ("first_name", "last_name")),
    ):
        names = [f.name for f in model._meta.get_fields()]
        for row in model.objects.values_list(*[f for f in fields if f in names]):
            values += [v for v in row if isinstance(v, str) and v]
    for user in User.objects.all():
        values += [user.get_full_name(), user.job_title]
    # French institutions named as such in the English interface (msgid = msgstr):
    # "Maison de la Métropole", "Accompagnement global renforcé (AGR)"…
    po = polib.pofile(str(PO_PATH))
    values += [e.msgid for e in live_entries(po) if e.msgstr == e.msgid]
    return sorted({v for v in values if v}, key=len, reverse=True)


def french_words(text: str, data: Iterable[str] = ()) -> list[str]:
    """French interface words of ``text`` once the data strings are taken out."""
    for value in data:
        text = text.replace(value, " ")
    return sorted({w for w in WORD.findall(text) if w.lower() in FRENCH_WORDS})


# The detectors themselves ----------------------------------------------------------------------


def test_french_translations_are_collected(po):
    found = french_translations(po)
    assert "Aller au contenu principal" in found
    # A msgstr equal to its msgid ("Coordination") is not French-only text.
    assert "Accompagnement global renforcé (AGR)" not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French written straight into Python or a template, not through gettext.
        ("<h1>My work</h1><p>Aucune situation pour vous</p>", ["Aucune", "pour", "vous"]),
        ("<button>Enregistrer</button>", ["Enregistrer"]),
        ('<a aria-label="Retour à l\'accueil" href="/">←</a>', ["Retour", "accueil"]),
        # Data is not interface: an organisation's name, in French, is fine.
        ("<td>Maison de la Métropole de Bron</td>", []),
        ("<p>Your work for today</p><script>var x = 'vous';</script>", []),
    ],
)
def test_hard_coded_french_is_caught(text, expected):
    assert french_words(visible_text(text), ["Maison de la Métropole de Bron"]) == expected


# The pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    username: str
    name: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    query: dict[str, str] | None = None


#: The main pages of each role (a dozen or so: the test stays fast).
PAGES = [
    Page("t1-signalement", "core:home"),
    Page("t1-signalement", "intake:referral_create"),
    Page("t1-signalement", "intake:my_referrals"),
    Page("t1-professionnel", "worklist:index"),
    Page("t1-professionnel", "situations:list"),
    Page("t1-professionnel", "situations:detail", lambda ctx: {"pk": ctx["situation"].pk}),
    Page("t1-professionnel", "notifications:preferences"),
    Page("t1-professionnel", "accounts:language"),
    Page("t1-professionnel", "accounts:password_change"),
    Page("t1-coordination", "core:home"),
    Page("t1-coordination", "meetings:index"),
    Page("t1-coordination", "territories:checklist"),
    Page("t1-recouvrement", "situations:detail", lambda ctx: {"pk": ctx["situation"].pk}),
    Page("t1-dpd", "core:access_log"),
    Page("t1-dpd", "privacy:register"),
    Page("t1-evaluation", "evaluation:index"),
    # The indicator catalogue (names, definitions, formulas, units) goes through it too.
    Page("t1-coordination", "analytics:dashboard"),
    Page("t1-coordination", "analytics:definitions"),
    Page("t1-coordination", "analytics:definition", lambda ctx: {"code": "reviews_on_time_share"}),
    Page("t1-admin", "core:home"),
]


def _ids(page: Page) -> str:
    return f"{page.username}:{page.name}"


@pytest.fixture
def world(refer: Any, advance: Any) -> dict[str, Any]:
    """A T1 situation in support, so that the situation pages have a pathway to show."""
    return {"situation": advance(refer(difficulties=("rent_arrears", "isolation")), 5)}


def render(client: Client, page: Page, ctx: dict[str, Any]) -> str:
    url = reverse(page.name, kwargs=page.kwargs(ctx) if page.kwargs else None)
    response = client.get(url, page.query or {}, follow=True)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_english_pages_show_no_french_interface_text(client_for, world, po, page):
    User.objects.filter(username=page.username).update(language="en")
    content = render(client_for(page.username), page, world)
    assert '<html lang="en">' in content
    text = visible_text(content)
    leaked = [t for t in french_translations(po) if t in text]
    assert not leaked, f"French catalogue text on an English page: {leaked}"
    words = french_words(text, data_strings())
    assert not words, f"French words on an English page (French outside gettext?): {words}"


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_french_pages_show_no_english_source_text(client_for, world, po, page):
    content = render(client_for(page.username), page, world)
    assert '<html lang="fr">' in content
    text = visible_text(content)
    leaked = [source for source in english_sources(po) if source in text]
    assert not leaked, f"English source strings on a French page: {leaked}"


def test_the_login_page_in_each_language(demo_reference, po):
    login = reverse("accounts:login")
    english = visible_text(Client().get(login, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert not [t for t in french_translations(po) if t in english]
    assert not french_words(english, data_strings())
    french = visible_text(Client().get(login).content.decode())
    assert not [s for s in english_sources(po) if s in french]


def test_amounts_follow_the_interface_language():
    from decimal import Decimal

    from django.utils import translation

    from etage.procedures.chart import euros

    with translation.override("fr"):
        assert euros(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    with translation.override("en"):
        assert euros(Decimal("1234.5")) == "€1,234.50"
        assert euros(Decimal("-80")) == "-€80"


# Strings that were French outside the catalogue (issue 12) ---------------------------------


def test_a_dropped_coding_memo_keeps_its_stored_marker_and_shows_in_each_language():
    """The memo of a reconciliation drop is found again by its stored title: that marker never
    changes with the language; pages show it in the reader's language."""
    from django.utils import translation

    from etage.evaluation.models import Memo
    from etage.evaluation.selectors_coding import DROPPED_TITLE, memo_title

    dropped = Memo(title=DROPPED_TITLE)
    with translation.override("en"):
        assert DROPPED_TITLE == "Réconciliation : codage écarté"
        assert memo_title(dropped) == "Reconciliation: coding dropped"
        assert memo_title(Memo(title="Relance")) == "Relance"
    with translation.override("fr"):
        assert memo_title(dropped) == DROPPED_TITLE


def test_a_codebook_exported_in_english_reads_back_in_french():
    """The headings folded into a REFI-QDA description follow the exporting person's
    language, and either language's headings are read back."""
    from django.utils import translation

    from etage.evaluation.refiqda import Code, fold_description, unfold_description

    code = Code("G", "Loyer", "Une définition.", "Inclure ceci.", "Exclure cela.", "Exemple :")
    with translation.override("en"):
        english = fold_description(code)
    with translation.override("fr"):
        french = fold_description(code)
    assert "Inclusion criteria:\nInclure ceci." in english
    assert "Critères d'inclusion :\nInclure ceci." in french
    expected = ("Une définition.", "Inclure ceci.", "Exclure cela.", "Exemple :")
    for text in (english, french):
        with translation.override("fr"):
            assert unfold_description(text) == expected
        with translation.override("en"):
            assert unfold_description(text) == expected


@pytest.mark.django_db
def test_the_api_schema_speaks_the_language_asked():
    """The OpenAPI descriptions go through the catalogue: English when asked, else French."""
    english = (
        Client().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    french = Client().get("/api/schema/", {"format": "json"}).content.decode()
    assert "Push arrears lines" in english
    assert "Envoyer des lignes" not in english
    assert "Envoyer des lignes d'impayés" in french
    assert "Push arrears lines" not in french
    assert "Token missing, unknown, revoked or expired." in english
    assert "Jeton absent, inconnu, révoqué ou expiré." in french
