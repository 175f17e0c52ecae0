"""The interface is French, its source strings English: every string comes from the French
catalogue (locale/fr), which is complete, compiled, and leaves Django's own French alone.

Pure Python (polib): no GNU gettext needed to run these tests.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.apps import apps
from django.template.base import Lexer, TokenType
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale" / "fr" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# Catalogue -----------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def entry_key(entry: Any) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def translation_of(entry: Any) -> object:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_catalogue_is_french_with_french_plural_rule(po):
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert not po.metadata_is_fuzzy, "l'en-tête du catalogue est marqué fuzzy"


def test_every_catalogue_entry_is_translated_and_not_fuzzy(po):
    entries = live_entries(po)
    assert entries
    untranslated = [e.msgid for e in entries if not all(_as_tuple(translation_of(e)))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"msgstr vide dans {PO_PATH.name} : {untranslated}"
    assert not fuzzy, f"entrées fuzzy à relire dans {PO_PATH.name} : {fuzzy}"


def test_translations_keep_the_placeholders_of_their_source(po):
    for entry in live_entries(po):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in _as_tuple(translation_of(entry)):
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


def test_committed_mo_holds_exactly_the_po_translations(po):
    mo = polib.mofile(str(MO_PATH))
    from_po = {entry_key(e): translation_of(e) for e in live_entries(po) if "fuzzy" not in e.flags}
    from_mo = {entry_key(e): translation_of(e) for e in mo}
    assert from_mo == from_po, "django.mo n'est pas à jour : lancez `make messages`"
    # The header (plural rule, charset) travels too; only the extraction date may differ.
    ignored = {"POT-Creation-Date"}
    assert {k: v for k, v in mo.metadata.items() if k not in ignored} == {
        k: v for k, v in po.metadata.items() if k not in ignored
    }


def _django_french_catalogues() -> dict[tuple[str | None, str], object]:
    """What Django and the installed third-party apps translate, and how."""
    import django

    dirs = [Path(django.__file__).parent / "conf" / "locale"]
    dirs += [Path(cfg.path) / "locale" for cfg in apps.get_app_configs()]
    shipped: dict[tuple[str | None, str], object] = {}
    for directory in dirs:
        mo_path = directory / "fr" / "LC_MESSAGES" / "django.mo"
        if mo_path.exists() and mo_path.resolve() != MO_PATH.resolve():
            for entry in polib.mofile(str(mo_path)):
                shipped.setdefault(entry_key(entry), translation_of(entry))
    return shipped


def test_project_catalogue_never_changes_a_translation_django_ships(po):
    # Our catalogue comes first (LOCALE_PATHS): an English msgid that Django also uses would
    # re-translate Django's own pages (the admin). Use a msgctxt to tell ours apart.
    shipped = _django_french_catalogues()
    clashes = {
        e.msgid: (translation_of(e), shipped[entry_key(e)])
        for e in live_entries(po)
        if entry_key(e) in shipped and shipped[entry_key(e)] != translation_of(e)
    }
    assert not clashes, f"ajoutez un contexte (msgctxt) à ces chaînes : {clashes}"


def _as_tuple(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (str(value),)


# Template lint -------------------------------------------------------------------------------

#: Text allowed outside translation tags, each a name that is never translated:
#: ``ETAGE`` is the product's name (header brand, page-title suffix).
ALLOWED_WORDS = frozenset({"ETAGE"})
#: Attributes people read (screen readers included); other attributes are machine values.
HUMAN_ATTRIBUTES = frozenset(
    {
        "alt",
        "title",
        "placeholder",
        "label",
        "aria-label",
        "aria-description",
        "aria-placeholder",
        "aria-roledescription",
        "aria-valuetext",
    }
)
WORD = re.compile(r"[^\W\d_]+")  # letters only: punctuation, digits and symbols are not text
TRANSLATION_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
RAW_FILTER_TEXT = re.compile(r"""\|\s*(?:default|default_if_none|yesno)\s*:\s*(["'])(.*?)\1""")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities become characters
        self.chunks: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.chunks.extend(v for k, v in attrs if k in HUMAN_ATTRIBUTES and v)
        if tag in {"script", "style"}:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def untranslated_words(source: str) -> list[str]:
    """Words of human-readable text in a Django template that no translation tag covers.

    Template comments, ``{% comment %}`` blocks, ``{% translate %}`` and the inside of
    ``{% blocktranslate %}`` are dropped, other tags and variables become a space; what is
    left is read as HTML (text, entities and the attributes people read, not scripts or
    styles). Raw strings given to ``default``/``yesno`` filters count as text too.
    """
    kept: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        name = contents.split(maxsplit=1)[0] if contents else ""
        if closing:
            if token.token_type == TokenType.BLOCK and name == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            kept.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK and name in TRANSLATION_BLOCKS:
            closing = TRANSLATION_BLOCKS[name]
        elif token.token_type == TokenType.BLOCK and name == "comment":
            closing = "endcomment"
        elif token.token_type == TokenType.VAR:
            kept.extend(f" {m.group(2)} " for m in RAW_FILTER_TEXT.finditer(token.contents))
        kept.append(" ")
    parser = _VisibleText()
    parser.feed("".join(kept))
    parser.close()
    text = html.unescape(" ".join(parser.chunks))
    return [w for w in WORD.findall(text) if w not in ALLOWED_WORDS]


def all_templates() -> list[Path]:
    """Every template of the project, including those of apps added later."""
    roots = [ROOT / "templates", *sorted((ROOT / "etage").glob("*/templates"))]
    return sorted(p for r in roots for p in r.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Bonjour</p>", ["Bonjour"]),
        ("<h1>{% translate 'Hello' %}</h1><p>Texte oublié</p>", ["Texte", "oublié"]),
        ('<img src="x.png" alt="Logo de la plateforme">', ["Logo", "de", "la", "plateforme"]),
        ('<a aria-label="Fermer" href="/">×</a>', ["Fermer"]),
        ("{{ territory.name|default:'aucun' }}", ["aucun"]),
        ('{{ ok|yesno:"oui,non" }}', ["oui", "non"]),
        ("<p>{% translate 'Hello' %}</p>", []),
        ("<p>{% blocktranslate with n=x %}Hello {{ n }}{% endblocktranslate %}</p>", []),
        ("<p>{% blocktranslate count n=c %}one{% plural %}many{% endblocktranslate %}</p>", []),
        ("<nav aria-label=\"{% translate 'Main navigation' %}\"></nav>", []),
        ("{# note #}{% comment %}texte libre{% endcomment %}<!-- remarque -->", []),
        ("<title>{% block title %}{% endblock %} — ETAGE</title> · | &nbsp;&mdash; (2026) :", []),
        ('<script>var message = "texte";</script><style>p { color: red; }</style>', []),
        ('{{ ok|yesno:_("yes,no") }}{% url "core:home" %}{{ user.get_full_name }}', []),
        ('<a href="{% url \'core:home\' %}" class="brand" data-testid="role">{{ x }}</a>', []),
    ],
)
def test_template_lint_finds_text_outside_translation_tags(source, expected):
    assert untranslated_words(source) == expected


def test_template_lint_sees_every_template():
    found = {p.relative_to(ROOT).as_posix() for p in all_templates()}
    assert {"templates/base.html", "templates/core/home.html"} <= found


@pytest.mark.parametrize("template", all_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_text_outside_translation_tags(template):
    words = untranslated_words(template.read_text(encoding="utf-8"))
    assert not words, (
        f"{template.relative_to(ROOT)} : texte hors de {{% translate %}} : {words}. "
        "Écrivez la chaîne en anglais dans {% translate %} et traduisez-la dans locale/fr."
    )


# Rendered pages ------------------------------------------------------------------------------


def english_sources(po: polib.POFile) -> list[str]:
    """Literal parts (over 12 characters) of msgids whose French differs from the English,
    leaving out those the French itself also says ("%(n)s organisations, %(m)s…")."""
    french = "\n".join(t for e in live_entries(po) for t in _as_tuple(translation_of(e)))
    parts: list[str] = []
    for entry in live_entries(po):
        if translation_of(entry) == entry.msgid:
            continue
        parts += [
            p.strip()
            for p in PLACEHOLDER.split(entry.msgid)
            if len(p.strip()) > 12 and p.strip() not in french
        ]
    return parts


def assert_french(page: str, po: polib.POFile) -> None:
    text = html.unescape(page)
    leaked = [source for source in english_sources(po) if source in text]
    assert not leaked, f"chaînes sources anglaises affichées sans traduction : {leaked}"


def test_english_sources_are_checked(po):
    assert "Skip to main content" in english_sources(po)


@pytest.mark.django_db
def test_login_page_shows_no_english_source_string(client, po):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_french(response.content.decode(), po)


@pytest.mark.parametrize("username", ["t1-admin", "t2-coordination", "t3-signalement"])
def test_home_page_shows_no_english_source_string(client_for, po, username):
    response = client_for(username).get(reverse("core:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aller au contenu principal" in page
    assert_french(page, po)


def test_password_change_page_shows_no_english_source_string(client_for, po):
    response = client_for("t1-professionnel").get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert_french(response.content.decode(), po)


# Situation and referral pages ------------------------------------------------------------------


def french_page(response: Any, po: polib.POFile, *labels: str, status: int = 200) -> str:
    """The page, checked: expected status, no English source string, these French labels."""
    assert response.status_code == status
    page = html.unescape(response.content.decode())
    assert_french(page, po)
    missing = [label for label in labels if label not in page]
    assert not missing, f"libellés français attendus absents de la page : {missing}"
    return page


@pytest.fixture
def in_support(refer: Any, advance: Any) -> Any:
    """A T1 situation in support: informed, reached, assessed, oriented to AGR."""
    return advance(refer(difficulties=("rent_arrears", "isolation", "mental_health")), 5)


def test_situation_list_shows_no_english_source_string(in_support, refer, client_for, po):
    refer(last_name="Secondaire", lease="EMH-000042")
    url = reverse("situations:list")
    french_page(
        client_for("t1-professionnel").get(url),
        po,
        "Situations",
        "Rechercher",
        "Filtrer",
        "Demande mon action",
        "En retard",
        "Inclure les situations clôturées",
        "En accompagnement",
        "Repérée",
    )
    coordinator = client_for("t1-coordination")
    french_page(coordinator.get(url, {"mine": "on", "include_closed": "on"}), po, "Filtrer")
    french_page(coordinator.get(url, {"q": "personne-inconnue"}), po, "0 situation")
    french_page(coordinator.get(url, {"level": "agr"}, HTTP_HX_REQUEST="true"), po)


def test_situation_detail_and_sharing_pages_show_no_english_source_string(
    in_support, client_for, po
):
    from etage.organisations.models import Organisation

    situation = in_support
    client = client_for("t1-professionnel")
    detail = reverse("situations:detail", args=[situation.pk])
    sharing = reverse("situations:sharing", args=[situation.pk])
    french_page(
        client.get(detail),
        po,
        "Groupe de partage",
        "Professionnel·le référent·e",
        "Organisation référente",
        "Parcours",
        "Orientation décidée",
        "Santé mentale",
    )
    french_page(client.get(sharing), po, "Consentement du ménage", "Base légale")

    # Every change made on the sharing page comes back with its message on the next page.
    ccas = Organisation.objects.get(code="CCAS-VAULX")
    consent = {
        "form": "consent",
        "consent-given_on": "2026-04-01",
        "consent-organisations": ccas.pk,
    }
    french_page(client.post(sharing, consent, follow=True), po, "Consentement enregistré.")
    withdraw = reverse(
        "situations:consent_withdraw", args=[situation.pk, situation.consents.get().pk]
    )
    withdrawn = client.post(withdraw, {"withdrawn_on": "2026-05-01"}, follow=True)
    french_page(withdrawn, po, "Consentement retiré")
    ccapex = {"form": "share", "share-organisation": Organisation.objects.get(code="CCAPEX").pk}
    french_page(client.post(sharing, ccapex | {"share-legal_basis": "ccapex"}, follow=True), po)
    share = situation.shares.get(organisation__code="CCAPEX")
    french_page(
        client.post(
            reverse("situations:share_revoke", args=[situation.pk, share.pk]),
            {"reason": "Plus nécessaire"},
            follow=True,
        ),
        po,
        "Partage terminé.",
    )
    # Refusals: no legal basis, no consent covering the organisation, no withdrawal date.
    no_basis = client.post(sharing, {"form": "share", "share-organisation": ccas.pk})
    french_page(no_basis, po, "Ce champ est obligatoire.")
    refused = client.post(sharing, ccapex | {"share-legal_basis": "consent"})
    french_page(refused, po, "Aucun consentement actif du ménage")
    french_page(client.post(withdraw, {}, follow=True), po, "Indiquez une date de retrait valide.")
    # The detail page now holds the consent and sharing events in its pathway.
    french_page(client.get(detail), po, "Consentement retiré", "Fin du partage")
    # The platform coordinator and the rent-recovery officer read it too.
    french_page(client_for("t1-coordination").get(detail), po, "Changer de niveau")
    french_page(client_for("t1-recouvrement").get(detail), po, "Niveau d'accompagnement")


@pytest.mark.parametrize(
    ("steps", "action", "username", "labels"),
    [
        (
            0,
            "inform",
            "t1-professionnel",
            (
                "Comment le ménage a-t-il été informé ?",
                "Par téléphone",
                "En personne",
                "Par courrier ou dépliant",
                "Enregistrer",
            ),
        ),
        (3, "orient", "t1-coordination", ("Professionnel·le référent·e", "Droit commun")),
        (5, "close", "t1-professionnel", ("Issue", "Dette à la sortie (€)", "Annuler")),
        (5, "suspend", "t1-professionnel", ("Suspendre", "Ménage injoignable")),
        (5, "change_level", "t1-coordination", ("Changer de niveau", "Nouveau niveau")),
        (0, "start_support", "t1-coordination", ("Cette étape ne peut pas être enregistrée",)),
        (0, "assess", "t1-professionnel", ("Retour à la situation",)),
    ],
)
def test_step_forms_show_no_english_source_string(
    refer, advance, client_for, po, steps, action, username, labels
):
    situation = advance(refer(), steps)
    url = reverse("situations:step", args=[situation.pk, action])
    french_page(client_for(username).get(url), po, *labels)


@pytest.mark.parametrize(
    ("steps", "action", "username", "data", "labels"),
    [
        (0, "inform", "t1-professionnel", {}, ("Ce champ est obligatoire.",)),
        (
            0,
            "inform",
            "t1-professionnel",
            {"occurred_on": "2999-01-01", "method": "phone"},
            ("La date du fait ne peut pas être dans le futur",),
        ),
        (
            0,
            "inform",
            "t1-professionnel",
            {"occurred_on": "2026-01-01", "method": "phone"},
            ("antérieure à la date de repérage (02/03/2026)",),
        ),
        (
            0,
            "inform",
            "t1-professionnel",
            {"occurred_on": "2026-03-05", "method": "emergency", "emergency_reason": " "},
            ("Indiquez le motif de l'exception d'urgence.",),
        ),
        (
            3,
            "orient",
            "t1-coordination",
            {"occurred_on": "2026-03-20", "orientation": "agr"},
            ("La coordination et l'AGR demandent un·e professionnel·le référent·e",),
        ),
        (5, "close", "t1-professionnel", {"occurred_on": "2026-04-01"}, ("Issue :",)),
        (
            5,
            "close",
            "t1-professionnel",
            {"occurred_on": "2026-04-01", "version": 1, "outcome": "left", "exit_debt": "0"}
            | {"housing_status": "private"},
            ("modifiée par quelqu'un d'autre",),
        ),
        (
            5,
            "change_level",
            "t1-coordination",
            {"occurred_on": "2026-04-01", "level": "agr"},
            ("La situation est déjà à ce niveau",),
        ),
    ],
)
def test_refused_steps_explain_in_french(
    refer, advance, client_for, po, steps, action, username, data, labels
):
    situation = advance(refer(), steps)
    url = reverse("situations:step", args=[situation.pk, action])
    response = client_for(username).post(url, {"version": situation.version} | data)
    french_page(response, po, *labels)


def test_recorded_step_and_corrected_date_show_no_english_source_string(
    refer, advance, client_for, po
):
    situation = advance(refer(), 2)
    client = client_for("t1-professionnel")
    close = reverse("situations:step", args=[situation.pk, "close"])
    closing = {"occurred_on": "2026-04-01", "version": situation.version, "outcome": "rehoused"}
    closing |= {"exit_debt": "0", "housing_status": "other_social"}
    french_page(client.post(close, closing, follow=True), po, "Étape enregistrée", "Clôturée")
    contact = situation.events.get(action="contact_reached")
    correct = reverse("situations:event_correct", args=[situation.pk, contact.pk])
    french_page(client.get(correct), po, "Corriger une date", "Motif de la correction")
    situation.refresh_from_db()
    data = {"occurred_on": "2026-03-07", "reason": "Date de l'appel", "version": situation.version}
    french_page(
        client.post(correct, data, follow=True),
        po,
        "Date corrigée ; la saisie d'origine est conservée.",
        "Date corrigée",
    )
    situation.refresh_from_db()
    again = client.post(correct, data | {"version": situation.version})
    french_page(again, po, "Cette étape a déjà été corrigée")
    stale = client.post(correct, data)  # the version seen before the correction
    french_page(stale, po, "modifiée par quelqu'un d'autre")
    french_page(client.get(reverse("situations:list"), {"include_closed": "on"}), po, "Clôturée")


def test_household_page_shows_no_english_source_string(refer, client_for, po):
    situation = refer()
    url = reverse("situations:household", args=[situation.pk])
    french_page(client_for("t1-professionnel").get(url), po, "Mettre à jour le ménage")


def referral(**overrides: Any) -> dict[str, Any]:
    from etage.organisations.models import Organisation
    from etage.territories.models import Commune

    data = {
        "last_name": "Lenoir",
        "first_name": "Sacha",
        "adults": 1,
        "children": 2,
        "address": "8 avenue des Frênes",
        "commune": Commune.objects.get(insee_code="69029").pk,
        "landlord": Organisation.objects.get(code="GLH").pk,
        "lease_reference": "GLH-12345",
        "difficulties": ["rent_arrears", "neighbourhood"],
        "source": "caretaker",
        "urgency": "urgent",
        "entry_stage": "commandement",
        "description": "Courriers qui s'accumulent.",
    }
    return data | overrides


def test_referral_pages_show_no_english_source_string(client_for, po):
    caretaker = client_for("t3-signalement")
    create, mine = reverse("intake:referral_create"), reverse("intake:my_referrals")
    french_page(caretaker.get(mine), po, "Mes signalements", "Vous n'avez encore signalé")
    form = caretaker.get(create)
    french_page(
        form,
        po,
        "Signaler un ménage",
        "Envoyer le signalement",
        "Nom de famille",
        "Prénom",
        "Adresse",
        "Commune",
        "Bailleur",
        "Référence du bail",
        "Difficultés repérées",
        "Qui l'a repéré",
        "Urgence",
        "Procédure d'expulsion",
        "Ce que vous avez constaté",
        "Incurie / syndrome de Diogène",
    )
    french_page(caretaker.post(create, {}), po, "Ce champ est obligatoire.")


def test_referral_duplicates_and_my_referrals_show_no_english_source_string(client_for, po):
    from etage.situations.models import Situation

    create, mine = reverse("intake:referral_create"), reverse("intake:my_referrals")
    client_for("t1-professionnel").post(create, referral())
    # Someone who may not open the situation learns only that it exists …
    caretaker = client_for("t1-signalement")
    hidden = french_page(
        caretaker.post(create, referral(last_name="Autre")),
        po,
        "Une situation est peut-être déjà ouverte pour ce ménage",
        "Une situation ouverte existe pour le même bail.",
        "Ajouter mon signalement à cette situation",
        "C'est un autre ménage : créer une nouvelle situation",
    )
    assert "Envoyer le signalement" not in hidden
    # … someone of the sharing group sees which one, and a similar name at the same address.
    french_page(
        client_for("t1-coordination").post(
            create, referral(lease_reference="", last_name="LE NOIR", address="8 av. des Frenes")
        ),
        po,
        "Ajouter mon signalement à cette situation",
    )
    french_page(
        caretaker.post(
            create, referral(lease_reference="", last_name="LE NOIR", address="8 av. des Frenes")
        ),
        po,
        "Une situation ouverte existe pour un nom proche à la même adresse.",
    )
    existing = Situation.objects.get()
    joined = caretaker.post(create, referral(last_name="Autre", decision=f"join:{existing.pk}"))
    assert joined.status_code == 302
    stale = caretaker.post(create, referral(last_name="Autre", decision="join:0"))
    french_page(stale, po, "Cette situation ne correspond plus")
    created = caretaker.post(create, referral(last_name="Nouveau", decision="new"), follow=True)
    french_page(created, po, "Signalement envoyé à la plateforme.", "Mes signalements")
    french_page(
        caretaker.get(mine),
        po,
        "Mes signalements",
        "ajouté à une situation déjà ouverte",
        "Reçu par la plateforme",
    )


def test_not_found_page_shows_no_english_source_string(client_for, po):
    response = client_for("t2-coordination").get("/situations/999999/")
    french_page(response, po, "Page introuvable", "Retour à l'accueil", status=404)
