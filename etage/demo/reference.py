"""Reference data of the demo: the three real ETAGE territories and their partner networks.

Territories, communes and INSEE codes, and the three OPH are real (domain.md §1). Everything
else — which landlord has housing in Vénissieux, network profiles, associations, contacts,
people — is a *demo configuration* chosen to show heterogeneous networks, not a statement of
fact. Associations and people are fictional. See docs/glossary.md and README.
"""

from __future__ import annotations

from dataclasses import dataclass

from etage.accounts.roles import Role
from etage.organisations.models import OrganisationKind as K


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    territories: tuple[str, ...]  # platform memberships


@dataclass(frozen=True)
class TerritorySpec:
    code: str
    name: str
    communes: tuple[tuple[str, str], ...]  # (INSEE code, name)
    has_local_ccapex: bool
    ccas_mdm_grouped: bool
    landlords: tuple[str, ...]
    started_on: str


TERRITORIES: tuple[TerritorySpec, ...] = (
    TerritorySpec(
        "T1",
        "Vaulx-en-Velin et Bron",
        (("69256", "Vaulx-en-Velin"), ("69029", "Bron")),
        has_local_ccapex=True,
        ccas_mdm_grouped=False,
        landlords=("EMH", "GLH", "LMH"),
        started_on="2019-06-01",
    ),
    # Demo choice: in Vénissieux only one OPH (LMH) holds housing, the case the brief names
    # ("chacun (ou un seul) des 3 OPH"); CCAS and MDM work as one front desk, no local CCAPEX.
    TerritorySpec(
        "T2",
        "Vénissieux",
        (("69259", "Vénissieux"),),
        has_local_ccapex=False,
        ccas_mdm_grouped=True,
        landlords=("LMH",),
        started_on="2019-09-01",
    ),
    TerritorySpec(
        "T3",
        "Lyon 7e et 8e",
        (("69387", "Lyon 7e Arrondissement"), ("69388", "Lyon 8e Arrondissement")),
        has_local_ccapex=True,
        ccas_mdm_grouped=False,
        landlords=("EMH", "GLH", "LMH"),
        started_on="2019-10-01",
    ),
)

ALL = ("T1", "T2", "T3")

ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("EMH", "Est Métropole Habitat", K.LANDLORD, ("T1", "T3")),
    OrgSpec("GLH", "GrandLyon Habitat", K.LANDLORD, ("T1", "T3")),
    OrgSpec("LMH", "Lyon Métropole Habitat", K.LANDLORD, ALL),
    OrgSpec("CCAS-VAULX", "CCAS de Vaulx-en-Velin", K.CCAS, ("T1",)),
    OrgSpec("CCAS-BRON", "CCAS de Bron", K.CCAS, ("T1",)),
    OrgSpec("CCAS-VEN", "CCAS de Vénissieux", K.CCAS, ("T2",)),
    OrgSpec("CCAS-LYON", "CCAS de Lyon", K.CCAS, ("T3",)),
    OrgSpec("MDM-VAULX", "Maison de la Métropole de Vaulx-en-Velin", K.MDM, ("T1",)),
    OrgSpec("MDM-BRON", "Maison de la Métropole de Bron", K.MDM, ("T1",)),
    OrgSpec("MDM-VEN", "Maison de la Métropole de Vénissieux", K.MDM, ("T2",)),
    OrgSpec("MDM-LYON7", "Maison de la Métropole de Lyon 7e", K.MDM, ("T3",)),
    OrgSpec("MDM-LYON8", "Maison de la Métropole de Lyon 8e", K.MDM, ("T3",)),
    OrgSpec("CCAPEX", "CCAPEX de la Métropole de Lyon", K.CCAPEX, ALL),
    OrgSpec("CCAPEX-EST", "Sous-commission CCAPEX Est (fictive)", K.CCAPEX, ("T1",)),
    OrgSpec("CCAPEX-LYON", "Sous-commission CCAPEX Lyon Sud (fictive)", K.CCAPEX, ("T3",)),
    OrgSpec("ASSO-TDL", "Association Trait d'Union Logement (fictive)", K.ASSOCIATION, ALL),
    OrgSpec(
        "ASSO-MEDIA", "Association Médiation et Voisinage (fictive)", K.ASSOCIATION, ("T1", "T2")
    ),
    OrgSpec("ASSO-HABAUT", "Association Habiter Autrement (fictive)", K.ASSOCIATION, ("T3",)),
    OrgSpec("EMPP", "Équipe mobile psychiatrie-précarité (fictive)", K.HEALTH, ALL),
    OrgSpec("FSL", "Fonds de solidarité logement — Métropole de Lyon", K.OTHER, ()),
    OrgSpec("EVAL", "Cabinet d'évaluation Lumière (fictif)", K.OTHER, ()),
)

#: For each territory, which organisation hosts each role's demo account.
#: Signallers and rent recovery sit with a landlord present in the territory; the professional
#: is the landlord's social worker; steering is the Métropole side of the landlords' committee.
ROLE_ORGS: dict[str, dict[str, str]] = {
    "T1": {
        Role.SIGNALLER: "EMH",
        Role.PROFESSIONAL: "EMH",
        Role.COORDINATOR: "CCAS-VAULX",
        Role.RENT_RECOVERY: "EMH",
        Role.STEERING: "EMH",
        Role.EVALUATOR: "EVAL",
        Role.DPO: "EMH",
        Role.ADMIN: "EMH",
    },
    "T2": {
        Role.SIGNALLER: "LMH",
        Role.PROFESSIONAL: "LMH",
        Role.COORDINATOR: "CCAS-VEN",
        Role.RENT_RECOVERY: "LMH",
        Role.STEERING: "LMH",
        Role.EVALUATOR: "EVAL",
        Role.DPO: "LMH",
        Role.ADMIN: "LMH",
    },
    "T3": {
        Role.SIGNALLER: "GLH",
        Role.PROFESSIONAL: "GLH",
        Role.COORDINATOR: "CCAS-LYON",
        Role.RENT_RECOVERY: "GLH",
        Role.STEERING: "GLH",
        Role.EVALUATOR: "EVAL",
        Role.DPO: "GLH",
        Role.ADMIN: "GLH",
    },
}


@dataclass(frozen=True)
class PartnerAccountSpec:
    """A demo account for a partner professional, beside the one-per-role accounts: the
    people the demo history names as lead professionals and who record support steps."""

    slug: str  # login is "<territory>-<slug>", e.g. t1-ccas
    organisation: str
    role: str = Role.PROFESSIONAL


#: Partner professionals of each territory: a CCAS social worker, an MDM social worker and an
#: AGR referent of the association that delivers AGR everywhere (ASSO-TDL).
PARTNER_ACCOUNTS: dict[str, tuple[PartnerAccountSpec, ...]] = {
    "T1": (
        PartnerAccountSpec("ccas", "CCAS-VAULX"),
        PartnerAccountSpec("mdm", "MDM-BRON"),
        PartnerAccountSpec("association", "ASSO-TDL"),
    ),
    "T2": (
        PartnerAccountSpec("ccas", "CCAS-VEN"),
        PartnerAccountSpec("mdm", "MDM-VEN"),
        PartnerAccountSpec("association", "ASSO-TDL"),
    ),
    "T3": (
        PartnerAccountSpec("ccas", "CCAS-LYON"),
        PartnerAccountSpec("mdm", "MDM-LYON8"),
        PartnerAccountSpec("association", "ASSO-TDL"),
    ),
}

#: Login names use French role words: these are what people type.
ROLE_SLUGS: dict[str, str] = {
    Role.SIGNALLER: "signalement",
    Role.PROFESSIONAL: "professionnel",
    Role.COORDINATOR: "coordination",
    Role.RENT_RECOVERY: "recouvrement",
    Role.STEERING: "pilotage",
    Role.EVALUATOR: "evaluation",
    Role.DPO: "dpd",
    Role.ADMIN: "admin",
}

DEMO_PASSWORD = "etage-demo-2026"

FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Noa",
    "Charlie",
    "Morgane",
    "Yanis",
    "Inès",
    "Karim",
    "Léa",
    "Hugo",
    "Fatou",
    "Mehdi",
    "Sarah",
    "Julien",
    "Amina",
    "Lucas",
    "Nadia",
    "Thomas",
    "Aïcha",
    "Romain",
    "Chloé",
    "Samir",
    "Manon",
    "Bilal",
    "Élodie",
    # Enough names for a few hundred fictional households (etage.demo.history).
    "Abdel",
    "Agnès",
    "Anaïs",
    "Bintou",
    "Brahim",
    "Cécile",
    "Christophe",
    "Djamila",
    "Émilie",
    "Fabrice",
    "Farida",
    "Gérard",
    "Hamza",
    "Irène",
    "Jessica",
    "Josiane",
    "Kevin",
    "Leïla",
    "Marc",
    "Mariam",
    "Monique",
    "Nabil",
    "Océane",
    "Patrick",
    "Rachid",
    "Sandrine",
    "Sofiane",
    "Sylvie",
    "Thierry",
    "Yasmina",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Durand",
    "Petit",
    "Moreau",
    "Laurent",
    "Garnier",
    "Rousseau",
    "Benali",
    "Nguyen",
    "Diallo",
    "Fontaine",
    "Chevalier",
    "Mercier",
    "Blanc",
    "Guérin",
    "Haddad",
    "Lopez",
    "Perrin",
    "Morel",
    "Girard",
    "Bonnet",
    "Dupuis",
    "Lambert",
    "Aubert",
    "Barbier",
    "Bouzid",
    "Brunet",
    "Carpentier",
    "Chauvin",
    "Colin",
    "Da Silva",
    "Fernandes",
    "Gaillard",
    "Gauthier",
    "Hamidi",
    "Jacquet",
    "Kaci",
    "Leclerc",
    "Lemoine",
    "Marchand",
    "Meunier",
    "N'Diaye",
    "Ouali",
    "Pereira",
    "Picard",
    "Renaud",
    "Roussel",
    "Saidi",
    "Tessier",
    "Traoré",
    "Vidal",
)

#: Invented street names for the fictional addresses of demo households (in the real
#: communes of each territory; any resemblance to a real address is accidental).
STREETS = (
    "rue des Tilleuls",
    "rue des Glycines",
    "allée des Peupliers",
    "rue du Lavoir",
    "avenue des Acacias",
    "rue des Coquelicots",
    "impasse des Mésanges",
    "rue de la Forge",
    "chemin des Vergers",
    "rue des Hirondelles",
    "place des Cerisiers",
    "rue du Moulin-Vieux",
    "allée des Érables",
    "rue des Jardiniers",
    "avenue du Belvédère",
    "rue des Lilas-Blancs",
    "rue de la Pépinière",
    "allée du Colombier",
    "rue des Sorbiers",
    "rue des Tanneurs",
)
