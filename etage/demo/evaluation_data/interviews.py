"""The demo interview register and its coding.

Each interview names the raw transcript file it was "uploaded" from and the names the
evaluator typed into the pseudonymisation helper (people mentioned in the text; speakers are
found by the helper itself). Interviews of a case narrative (A, B, C) take the territory of the
case they are attached to, and their organisation from it (the case's landlord, the
association working there).

Coding specs: ``(cue, code key, who)``. The segment is the sentence of the pseudonymised text
holding ``cue`` (coder A, and the reconciled coding) or the whole speaker turn (coder B, who
codes broader: spans differ as they do between real coders; agreement is measured on turns).
``who``: ``"AB"`` both coders, ``"A"``/``"B"`` one only (a disagreement dropped at
reconciliation), ``"A+"``/``"B+"`` one only but kept at reconciliation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: Who codes: coder A and coder B of the double coding, the lead who reconciles.
LEAD = "t1-evaluation"
CODER_A = "t2-evaluation"
CODER_B = "t3-evaluation"

Coding = tuple[str, str, str]


@dataclass(frozen=True)
class InterviewSpec:
    reference: str
    file: str
    stakeholder: str
    held_on: dt.date
    interviewer: str
    #: Names mentioned in the text, typed by the evaluator for the helper.
    names: tuple[str, ...] = ()
    #: "A", "B" or "C": one of the three interviews of that case narrative.
    narrative: str = ""
    #: Organisation code; "LANDLORD" / "ASSOCIATION": the case's landlord / association.
    organisation: str = ""
    territory: str = ""
    mode: str = "individual"
    participants: int = 1
    notes: str = ""
    consent_form: str = "oral"
    quotation: bool = True
    codings: tuple[Coding, ...] = ()
    #: Who coded: both coders (double coding), or one of them.
    coders: str = "AB"
    reconciled: bool = False


INTERVIEWS: tuple[InterviewSpec, ...] = (
    InterviewSpec(
        "E01",
        "e01-menage-a.txt",
        "household",
        dt.date(2023, 3, 7),
        LEAD,
        names=("Odile Verchère", "Nassim", "Julie Ferrandon"),
        narrative="A",
        notes="Entretien au domicile, enfant présent au début.",
        consent_form="written",
        reconciled=True,
        codings=(
            ("Au deuxième mois, j'avais déjà 900 euros de retard", "precoce", "A"),
            ("Elle m'a appelée, puis elle est passée à la maison", "aller_vers", "AB"),
            ("Je ne répondais pas parce que j'avais honte", "honte", "AB"),
            ("je ne les ouvrais même plus", "peur_courriers", "B"),
            ("Elle ne m'a pas parlé de la dette tout de suite", "aller_vers", "AB"),
            ("il existait une plateforme avec plusieurs partenaires", "plateforme", "B"),
            ("on a fait le dossier FSL", "fsl", "AB"),
            ("La CAF a recalculé mon APL", "droits", "AB"),
            ("on a signé un plan d'apurement de 40 euros par mois", "apurement", "AB"),
            ("D'avoir une seule personne", "referent_unique", "AB"),
            ("chacun me renvoyait ailleurs", "articulation", "A"),
            ("ce qu'elle allait dire en réunion et ce qu'elle ne dirait pas", "partage", "A+"),
            ("ce qu'elle allait dire en réunion et ce qu'elle ne dirait pas", "confiance", "B+"),
            ("Le plan est respecté depuis un an", "maintien", "AB"),
            ("Le plan est respecté depuis un an", "apurement", "A"),
            ("Si on m'avait appelée six mois plus tard", "precoce", "AB"),
            ("Deux mois d'attente", "fsl", "AB"),
            ("a dû appeler le service contentieux", "articulation", "B"),
        ),
    ),
    InterviewSpec(
        "E02",
        "e02-menage-b.txt",
        "household",
        dt.date(2023, 3, 14),
        LEAD,
        names=("Nathalie", "Rémi Castaing", "Coralie Mességué"),
        narrative="B",
        codings=(
            ("On avait l'APL suspendue", "droits", "AB"),
            ("il y avait un commandement de payer sur la table", "procedure", "AB"),
            ("J'ai pensé qu'on était déjà expulsés", "honte", "AB"),
            ("J'ai eu peur d'ouvrir les courriers suivants", "peur_courriers", "A"),
            ("c'est un papier d'huissier", "procedure", "B"),
            ("Ils avaient vu notre situation en réunion de plateforme", "plateforme", "AB"),
            ("l'APL a été rétablie avec un rappel", "droits", "AB"),
            ("nous a accompagnés à l'audience", "procedure", "AB"),
            ("le bailleur a proposé un protocole", "apurement", "AB"),
            ("c'était celui qui voulait nous mettre dehors", "image_bailleur", "AB"),
            ("ne faisait pas les choses à notre place", "confiance", "AB"),
            ("personne ne savait où en était le dossier FSL", "referent_unique", "A"),
            ("personne ne savait où en était le dossier FSL", "fsl", "B"),
            ("On est toujours dans le logement, c'est l'essentiel", "maintien", "AB"),
            ("Et maintenant j'ouvre les courriers", "confiance", "B"),
            ("Je sais à qui téléphoner si ça recommence", "referent_unique", "A"),
        ),
    ),
    InterviewSpec(
        "E03",
        "e03-menage-c.txt",
        "household",
        dt.date(2023, 3, 21),
        CODER_B,
        names=("Anthony Granjon", "Mariétou", "Bérénice Laforgue"),
        narrative="C",
        notes="Entretien au domicile ; la fille aînée a aidé à la traduction de quelques mots.",
        codings=(
            ("Je ne savais pas que le bailleur pouvait aider", "image_bailleur", "AB"),
            ("Je ne savais pas que le bailleur pouvait aider", "non_recours", "A"),
            ("a frappé à la porte", "aller_vers", "AB"),
            ("ce n'était pas pour le contentieux", "image_bailleur", "B"),
            ("Elle a fait un dossier de surendettement avec moi", "fsl", "AB"),
            ("Parfois je ne comprenais pas qui faisait quoi", "articulation", "A"),
            ("J'aurais aimé savoir ce qui se disait sur moi", "partage", "AB"),
            ("Le bailleur a accepté un plan pour le reste", "apurement", "AB"),
            ("La commission a effacé une partie du crédit", "fsl", "B"),
            ("je ne savais pas que j'y avais droit", "droits", "AB"),
            ("je ne savais pas que j'y avais droit", "non_recours", "B"),
            ("On est toujours là, dans l'appartement", "maintien", "AB"),
            ("J'ai peur de me retrouver seule avec les courriers", "peur_courriers", "A"),
        ),
    ),
    InterviewSpec(
        "E04",
        "e04-referente-a.txt",
        "associative_referent",
        dt.date(2023, 3, 9),
        LEAD,
        names=("Sabrina Keddache",),
        narrative="A",
        organisation="ASSOCIATION",
        reconciled=True,
        codings=(
            ("je deviens la personne de référence du ménage", "referent_unique", "AB"),
            ("avec seulement deux mois d'impayés", "precoce", "AB"),
            ("Par la réunion de plateforme", "plateforme", "B"),
            ("les ménages arrivent au stade de l'assignation", "procedure", "A+"),
            ("je parle très peu de la dette", "aller_vers", "AB"),
            ("je parle très peu de la dette", "confiance", "B"),
            ("avait peur de tout ce qui venait du bailleur", "honte", "AB"),
            ("Le FSL maintien, la mise à jour des droits CAF", "fsl", "AB"),
            ("Le FSL maintien, la mise à jour des droits CAF", "droits", "A+"),
            ("J'ai dû appeler le contentieux", "articulation", "AB"),
            ("on ne dit que ce qui sert à la décision", "partage", "AB"),
            ("J'ai vingt-deux ménages en file active", "charge", "AB"),
            ("Le repérage précoce par le bailleur, clairement", "precoce", "AB"),
            ("Le repérage précoce par le bailleur, clairement", "perennite", "A"),
            ("une seule référente pour le ménage", "referent_unique", "AB"),
        ),
    ),
    InterviewSpec(
        "E05",
        "e05-referent-b.txt",
        "associative_referent",
        dt.date(2023, 3, 16),
        CODER_A,
        names=("Gilles Pontet", "Coralie Mességué"),
        narrative="B",
        organisation="ASSOCIATION",
        codings=(
            ("Le ménage était déjà au stade du commandement de payer", "procedure", "AB"),
            ("Le ménage était déjà au stade du commandement de payer", "precoce", "A"),
            ("La dette était gonflée par la suspension de l'APL", "droits", "AB"),
            ("on a fait la première visite ensemble", "articulation", "AB"),
            ("on a fait la première visite ensemble", "image_bailleur", "B"),
            ("On a préparé l'audience ensemble", "procedure", "AB"),
            ("le bailleur a signé un protocole de cohésion sociale", "apurement", "AB"),
            ("aurait demandé la résiliation sans délais", "maintien", "A"),
            ("C'est une limite du référent unique", "referent_unique", "AB"),
            ("C'est une limite du référent unique", "charge", "B"),
            ("Il manque une information partagée entre les deux", "articulation", "AB"),
            ("Il manque une information partagée entre les deux", "partage", "A"),
            ("Elle arrive tard, sur des dossiers très avancés", "procedure", "B"),
            ("Il faut que le financement des référents soit stable", "perennite", "AB"),
        ),
    ),
    InterviewSpec(
        "E06",
        "e06-referente-c.txt",
        "associative_referent",
        dt.date(2023, 3, 23),
        CODER_B,
        names=("Hawa Sissokho",),
        narrative="C",
        organisation="ASSOCIATION",
        coders="B",
        codings=(
            ("Le dossier de surendettement d'abord", "fsl", "B"),
            ("le bailleur a accepté de geler les relances", "articulation", "B"),
            ("La confiance est venue avec le temps", "confiance", "B"),
            ("elle pensait que j'étais envoyée par le bailleur", "image_bailleur", "B"),
            ("on ne lui fait pas de retour après chaque réunion", "partage", "B"),
            ("Le maintien dans le logement est acquis pour l'instant", "maintien", "B"),
            ("l'assistante sociale de secteur a changé deux fois", "referent_unique", "B"),
        ),
    ),
    InterviewSpec(
        "E07",
        "e07-travailleuse-sociale-a.txt",
        "landlord_social_worker",
        dt.date(2023, 3, 10),
        CODER_A,
        names=("Sabrina Keddache",),
        narrative="A",
        organisation="LANDLORD",
        codings=(
            ("je reçois la liste des locataires qui ont deux mois d'impayés", "precoce", "AB"),
            ("je fais une visite à domicile si je n'ai pas de réponse", "aller_vers", "AB"),
            ("On a parlé de tout sauf de la dette", "aller_vers", "AB"),
            ("On a parlé de tout sauf de la dette", "confiance", "B"),
            ("recueillir son accord pour partager sa situation", "partage", "A"),
            ("Le recouvrement a ses objectifs", "articulation", "AB"),
            ("Un lieu où la décision est collective", "plateforme", "AB"),
            ("Avant, je cherchais moi-même un partenaire", "articulation", "B"),
            ("préparer les fiches prend du temps", "charge", "A"),
            ("Beaucoup de visites en plus", "charge", "AB"),
            ("des ménages qui s'en seraient sortis seuls", "precoce", "B"),
            ("Les situations d'incurie", "incurie", "AB"),
            ("La plateforme nous a permis de la faire venir plus vite", "articulation", "B"),
        ),
    ),
    InterviewSpec(
        "E08",
        "e08-travailleuse-sociale-b.txt",
        "landlord_social_worker",
        dt.date(2023, 3, 17),
        CODER_A,
        names=("Gilles Pontet",),
        narrative="B",
        organisation="LANDLORD",
        coders="A",
        codings=(
            ("Par le service contentieux, tardivement", "procedure", "A"),
            ("Pour lui, j'étais le bailleur, donc l'expulsion", "image_bailleur", "A"),
            ("Le rétablissement de l'APL", "droits", "A"),
            ("proposer un protocole après le jugement", "apurement", "A"),
            ("Je ne note rien sur la santé", "partage", "A"),
            ("sous-commission CCAPEX locale", "articulation", "A"),
            ("dès le premier mois d'impayé", "precoce", "A"),
            ("tous les bailleurs du territoire y participent", "perennite", "A"),
        ),
    ),
    InterviewSpec(
        "E09",
        "e09-travailleur-social-c.txt",
        "landlord_social_worker",
        dt.date(2023, 3, 24),
        CODER_B,
        names=("Hawa Sissokho",),
        narrative="C",
        organisation="LANDLORD",
        coders="B",
        codings=(
            ("J'ai laissé un mot manuscrit", "aller_vers", "B"),
            ("prenne le relais sur le surendettement", "fsl", "B"),
            ("Geler les relances pendant l'instruction", "articulation", "B"),
            ("Le loyer est payé depuis huit mois", "maintien", "B"),
            ("la dette est un symptôme", "incurie", "B"),
            ("Elle a augmenté, surtout les visites", "charge", "B"),
        ),
    ),
    InterviewSpec(
        "E10",
        "e10-coordinatrice.txt",
        "coordinator",
        dt.date(2023, 2, 28),
        LEAD,
        organisation="CCAS-VAULX",
        territory="T1",
        codings=(
            ("je veille à ce qu'un référent soit désigné", "plateforme", "AB"),
            ("je veille à ce qu'un référent soit désigné", "referent_unique", "A"),
            ("On décide du niveau", "plateforme", "AB"),
            ("on ne présente pas une situation sans l'accord du ménage", "partage", "AB"),
            ("Les ménages injoignables", "non_recours", "AB"),
            ("On a essayé des visites à deux", "aller_vers", "A"),
            ("par crainte pour le secret professionnel", "partage", "AB"),
            ("Il a fallu un an pour que tout le monde soit à l'aise", "articulation", "B"),
            ("c'est beaucoup d'heures", "charge", "AB"),
            ("Mon poste est à mi-temps sur la plateforme", "perennite", "A"),
            ("on évite des doublons", "articulation", "AB"),
            ("elles mobilisent énormément", "incurie", "AB"),
            ("l'équipe mobile psychiatrie-précarité participe aux réunions", "articulation", "B"),
            ("Un financement pluriannuel du poste de coordination", "perennite", "AB"),
        ),
    ),
    InterviewSpec(
        "E11",
        "e11-recouvrement.txt",
        "rent_recovery",
        dt.date(2023, 4, 4),
        CODER_A,
        organisation="EMH",
        territory="T1",
        coders="A",
        codings=(
            ("transmission à l'huissier pour le commandement de payer", "procedure", "A"),
            ("à deux mois d'impayés sans procédure", "precoce", "A"),
            ("reviennent à l'équilibre sans huissier", "maintien", "A"),
            ("Le logiciel envoie les relances", "articulation", "A"),
            ("moins d'assignations pour les ménages repérés tôt", "procedure", "A"),
            ("Une procédure d'expulsion coûte cher au bailleur aussi", "perennite", "A"),
            ("on n'a pas les mêmes priorités", "articulation", "A"),
            ("Que la règle des deux mois soit inscrite", "perennite", "A"),
        ),
    ),
    InterviewSpec(
        "E12",
        "e12-institutions-collectif.txt",
        "institution",
        dt.date(2023, 4, 13),
        LEAD,
        organisation="CCAPEX",
        mode="collective",
        participants=4,
        notes="Entretien collectif : Métropole (habitat), secrétariat de la CCAPEX, CAF, FSL.",
        consent_form="written",
        coders="B",
        codings=(
            ("notre premier outil vraiment en amont", "precoce", "B"),
            ("moins de dossiers des territoires de l'expérimentation", "procedure", "B"),
            ("les aides sont maintenues plus souvent", "droits", "B"),
            ("Le délai d'instruction reste de six à huit semaines", "fsl", "B"),
            ("Il faut un modèle de financement partagé", "perennite", "B"),
            ("Sans indicateurs communs", "perennite", "B"),
            ("ne pas créer une structure de plus", "articulation", "B"),
            ("La coordination doit rester légère", "perennite", "B"),
        ),
    ),
)

#: The interview whose consent was withdrawn: kept in the register (with its consent record)
#: to show the rule, its transcript deleted, never coded nor attached to a case.
WITHDRAWN = InterviewSpec(
    "E13",
    "",
    "social_service",
    dt.date(2023, 3, 30),
    CODER_B,
    organisation="MDM-VEN",
    territory="T2",
    notes=(
        "Consentement retiré par la personne le 12 avril 2023 : transcription supprimée, "
        "entretien conservé au registre sans contenu."
    ),
)
WITHDRAWN_ON = dt.date(2023, 4, 12)


@dataclass(frozen=True)
class MemoSpec:
    author: str
    title: str
    text: str
    #: What the memo is about (at most one): an interview reference, a code key, or a
    #: (reference, cue) segment of coder A.
    interview: str = ""
    code: str = ""
    segment: tuple[str, str] = field(default=("", ""))


MEMOS: tuple[MemoSpec, ...] = (
    MemoSpec(
        LEAD,
        "Protocole de double codage",
        "Sept entretiens sont codés indépendamment par deux évaluateurs, à l'aveugle, puis "
        "l'accord est mesuré par tour de parole. Les désaccords des entretiens E01 et E04 ont "
        "été discutés en séance et réconciliés ; la grille a été ajustée ensuite (fusion de "
        "« Peur des courriers » dans « Honte et peur de l'expulsion »).",
    ),
    MemoSpec(
        CODER_A,
        "Non-recours : frontière avec le refus",
        "Le code ne couvre que l'absence de réponse et la méconnaissance des droits. Les refus "
        "explicites sont rares dans le corpus et devront être cherchés dans les données de "
        "parcours plutôt que dans les entretiens.",
        code="non_recours",
    ),
    MemoSpec(
        CODER_B,
        "Ce que le ménage ne voit pas de la plateforme",
        "Le ménage ne sait pas ce qui se dit en réunion, alors que la référente décrit des "
        "règles de partage précises. L'information est donnée au début, jamais ensuite : piste "
        "pour une recommandation sur le retour au ménage.",
        interview="E03",
    ),
    MemoSpec(
        CODER_A,
        "Continuité pendant les absences",
        "Même période racontée par le référent (E05) : trois semaines sans suivi du dossier "
        "FSL pendant ses congés. Le binôme a été mis en place ensuite.",
        segment=("E02", "personne ne savait où en était le dossier FSL"),
    ),
)
