"""The demo codebook: five themes (the rows of the triangulation matrices) and their codes,
with definitions, inclusion and exclusion criteria, examples and colours. Keys are stable
identifiers used by the coding specs; they never reach the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CodeSpec:
    key: str
    name: str
    color: str
    definition: str
    include: str = ""
    exclude: str = ""
    example: str = ""
    children: tuple[CodeSpec, ...] = field(default=())


#: Imported from this file name (the history says so).
QDC_NAME = "grille-etage-v1.qdc"

CODEBOOK: tuple[CodeSpec, ...] = (
    CodeSpec(
        "reperage",
        "Repérage et premier contact",
        "#1f5f99",
        "Comment les ménages en impayés sont repérés et comment le premier lien est établi.",
        children=(
            CodeSpec(
                "precoce",
                "Repérage précoce",
                "#2e77b8",
                "Repérage d'un ménage avant toute procédure contentieuse (premiers mois "
                "d'impayés).",
                "Listes mensuelles d'impayés, alertes du bailleur, signalement avant le "
                "commandement de payer.",
                "Repérage au stade de l'assignation ou plus tard (coder « Procédure "
                "d'expulsion »).",
                "« Je reçois la liste des locataires qui ont deux mois d'impayés. »",
            ),
            CodeSpec(
                "aller_vers",
                "Premier contact et aller-vers",
                "#4b8fcc",
                "Démarches actives pour joindre le ménage : appels, visites, mots déposés.",
                "Visite à domicile, mot manuscrit, premier échange qui n'aborde pas la dette.",
                "Contacts ultérieurs de l'accompagnement (coder « Confiance dans le référent »).",
                "« J'ai laissé un mot manuscrit, pas un courrier à en-tête. »",
            ),
            CodeSpec(
                "non_recours",
                "Non-recours et ménages injoignables",
                "#6aa6dc",
                "Ménages qui ne répondent pas ou ignorent les aides auxquelles ils ont droit.",
                "Absence de réponse, méconnaissance d'un droit, courriers non ouverts.",
                "Refus explicite et motivé de l'accompagnement.",
                "« Environ un sur trois ne répond à rien. »",
            ),
        ),
    ),
    CodeSpec(
        "relation",
        "Relation et confiance",
        "#8a4b08",
        "Ce que les ménages et les professionnels disent de la relation d'accompagnement.",
        children=(
            CodeSpec(
                "confiance",
                "Confiance dans le référent",
                "#a65f12",
                "Construction (ou rupture) de la confiance entre le ménage et son référent.",
                "Disponibilité, explication plutôt que substitution, temps passé.",
                "Confiance envers l'institution bailleur (coder « Image du bailleur »).",
                "« Il ne faisait pas les choses à notre place, il expliquait. »",
            ),
            CodeSpec(
                "honte",
                "Honte et peur de l'expulsion",
                "#c0772a",
                "Émotions qui freinent la demande d'aide : honte, peur de perdre le logement, "
                "évitement des courriers.",
                "Courriers non ouverts, peur de l'huissier, sentiment d'être déjà expulsé.",
                "Inquiétudes des professionnels pour le ménage.",
                "« J'ai eu peur d'ouvrir les courriers suivants. »",
                children=(
                    CodeSpec(
                        "peur_courriers",
                        "Peur des courriers",
                        "#d89a57",
                        "Évitement des courriers du bailleur ou de l'huissier.",
                        "Courriers non ouverts, rangés, jetés.",
                        example="« Je les mettais dans un tiroir. »",
                    ),
                ),
            ),
            CodeSpec(
                "image_bailleur",
                "Image du bailleur",
                "#d98c3f",
                "Représentation du bailleur par le ménage : créancier, partenaire, menace.",
                "Changement de regard sur le bailleur au fil de l'accompagnement.",
                "Organisation interne du bailleur (coder « Articulation bailleur – services "
                "sociaux »).",
                "« Pour lui, j'étais le bailleur, donc l'expulsion. »",
            ),
        ),
    ),
    CodeSpec(
        "coordination",
        "Coordination partenariale",
        "#2d6a2d",
        "Le travail commun des partenaires autour d'un ménage et dans la plateforme.",
        children=(
            CodeSpec(
                "plateforme",
                "Réunion de plateforme",
                "#3f8a3f",
                "La réunion pluri-partenariale où les situations sont présentées et orientées.",
                "Déroulement, décisions d'orientation, préparation des fiches.",
                "Échanges bilatéraux hors réunion.",
                "« En une réunion, on oriente vers le bon niveau et un référent est nommé. »",
            ),
            CodeSpec(
                "partage",
                "Partage d'information et secret professionnel",
                "#58a558",
                "Ce qui est partagé entre partenaires, avec quel accord et quelles limites.",
                "Règles de partage, accord du ménage, retenue sur la santé.",
                "Échanges purement logistiques (dates de réunion).",
                "« On ne dit que ce qui sert à la décision. »",
            ),
            CodeSpec(
                "referent_unique",
                "Référent unique et continuité",
                "#74bd74",
                "Un seul interlocuteur pour le ménage, et ce qui se passe quand il manque.",
                "Ne pas répéter son histoire, ruptures pendant les absences, binômes.",
                "Qualité de la relation elle-même (coder « Confiance dans le référent »).",
                "« D'avoir une seule personne. »",
            ),
            CodeSpec(
                "articulation",
                "Articulation bailleur – services sociaux",
                "#8fce8f",
                "Coopération entre le recouvrement, le service social du bailleur, les "
                "services sociaux de secteur, la CCAPEX et les dispositifs existants.",
                "Gel des relances, compromis écrits, doublons évités, place de la CCAPEX.",
                "Réunion de plateforme en tant que telle.",
                "« Avant, le recouvrement et le service social travaillaient chacun de leur "
                "côté. »",
            ),
        ),
    ),
    CodeSpec(
        "leviers",
        "Leviers et dispositifs",
        "#6b3f8f",
        "Les outils mobilisés pour résorber la dette et sécuriser le logement.",
        children=(
            CodeSpec(
                "fsl",
                "FSL et aides financières",
                "#8357aa",
                "Fonds de solidarité logement et autres aides financières ponctuelles.",
                "Demandes, décisions, délais d'instruction du FSL.",
                "Droits réguliers (coder « Accès aux droits »).",
                "« Le FSL a payé une partie de la dette. »",
            ),
            CodeSpec(
                "apurement",
                "Plan d'apurement et protocole",
                "#9b70c2",
                "Plans d'apurement amiables, délais de paiement, protocoles de cohésion sociale.",
                "Montant des échéances, respect du plan, nouveau bail.",
                "Dossiers de surendettement (coder « FSL et aides financières »).",
                "« On paie le loyer plus 60 euros par mois. »",
            ),
            CodeSpec(
                "droits",
                "Accès aux droits (CAF, APL)",
                "#b28bd6",
                "Ouverture, rétablissement ou mise à jour des droits sociaux.",
                "APL suspendue puis rétablie, allocations méconnues.",
                "Aides ponctuelles du FSL.",
                "« L'APL a été rétablie avec un rappel. »",
            ),
            CodeSpec(
                "procedure",
                "Procédure d'expulsion",
                "#5a2f7a",
                "Étapes contentieuses : commandement de payer, assignation, audience, CCAPEX.",
                "Vécu de la procédure, effet de la plateforme sur son déroulement.",
                "Relances amiables du bailleur avant procédure.",
                "« L'assignation était déjà partie quand on a commencé. »",
            ),
            CodeSpec(
                "incurie",
                "Incurie et état du logement",
                "#7d4b9e",
                "Logements encombrés ou dégradés, souvent liés à une souffrance psychique.",
                "Intervention de l'équipe mobile psychiatrie-précarité, du service d'hygiène.",
                "Suroccupation d'un logement bien tenu.",
                "« Dans ces cas-là, la dette est un symptôme. »",
            ),
        ),
    ),
    CodeSpec(
        "effets",
        "Effets et pérennisation",
        "#9e1f3f",
        "Ce que l'expérimentation change, pour qui, et à quelles conditions elle peut durer.",
        children=(
            CodeSpec(
                "maintien",
                "Maintien dans le logement",
                "#b8324f",
                "Le ménage reste dans son logement, avec ou sans procédure évitée.",
                "Maintien, fragilité après la clôture, procédures évitées.",
                "Relogement ou mutation.",
                "« On est toujours dans le logement, c'est l'essentiel. »",
            ),
            CodeSpec(
                "charge",
                "Charge de travail des professionnels",
                "#cc5570",
                "Temps et efforts que la démarche demande aux professionnels.",
                "Visites supplémentaires, file active, saisie, réunions.",
                "Coût global pour les financeurs (coder « Conditions de pérennisation »).",
                "« J'ai vingt-deux ménages en file active. »",
            ),
            CodeSpec(
                "perennite",
                "Conditions de pérennisation",
                "#dd7a91",
                "Ce qu'il faudrait pour que la démarche dure et s'étende.",
                "Financement, engagements écrits, indicateurs communs, extension.",
                "Difficultés du quotidien sans lien avec l'avenir du dispositif.",
                "« Il faut un modèle de financement partagé. »",
            ),
        ),
    ),
)

#: The code merged after the first double-coding round (history: one merge; its segments are
#: re-coded with the target, as the codebook's merge does).
MERGED = ("peur_courriers", "honte")
#: One definition clarified after the import (history: one edit): the code's definition in
#: the imported file, before the edit.
EDITED = ("non_recours", "Ménages qui ne répondent pas aux sollicitations.")
