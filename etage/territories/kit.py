"""The reproduction kit (issue 10; evaluation.md part G): a territory is configuration, not
code. :func:`export_territory` writes everything a platform runs on — the territory and its
network profile, its communes, its platform and review interval, its member organisations,
its early-warning rules, the reference lists the pathway uses (themes and suggested
actions) and the layout of each present landlord's arrears extract — as one documented YAML
document; :func:`import_territory` creates a new territory
from such a document, in one transaction (nothing half-created), with French messages.

People's accounts are not configuration and are never exported: a new platform's coordinator
creates them (start-up checklist, ``/territoires/demarrer/``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from etage.alerts.models import WarningRule
from etage.alerts.rules import parameter_errors
from etage.intake.arrears.format import mapping_errors
from etage.intake.models import ImportProfile
from etage.organisations.models import Organisation, OrganisationKind
from etage.references.models import ActionTemplate, Theme
from etage.territories.models import Commune, Platform, PlatformMembership, Territory

FORMAT = "etage-territory/1"
MAX_BYTES = 2 * 1024 * 1024

HEADER = """\
# ETAGE — kit de reproduction d'une plateforme territoriale (format etage-territory/1)
#
# Ce fichier décrit toute la configuration d'un territoire : le modifier puis l'importer
# (python manage.py etage_territory import FICHIER --code T9 --name "Nouveau territoire")
# crée un nouveau territoire sans toucher au code.
#
#   territory      code, nom, profil du réseau (sous-commission CCAPEX locale, CCAS et MDM
#                  regroupés) et bailleurs présents (codes d'organisation)
#   communes       code INSEE et nom de chaque commune couverte (un code INSEE ne peut
#                  appartenir qu'à un territoire : remplacez-les par celles du nouveau)
#   platform       nom, intervalle de révision des accompagnements (mois), date de début
#   organisations  organisations membres de la plateforme (code, nom, type) ; créées à
#                  l'import si elles n'existent pas encore
#   warning_rules  règles de repérage précoce (code, type, paramètres, poids, ordre)
#   references     thèmes du plan partagé et actions suggérées (créés s'ils manquent)
#   import_profiles  disposition de l'extraction de chaque bailleur présent : pour chaque
#                  champ ETAGE, l'en-tête de colonne du bailleur (docs/imports.md) ; créée à
#                  l'import pour un bailleur qui n'en a pas encore, jamais remplacée
#
# Aucune donnée personnelle : ni ménage, ni compte utilisateur.
"""


class KitError(ValueError):
    """The file cannot be imported; the message is French and says why."""


def export_territory(territory: Territory) -> dict[str, Any]:
    platform = Platform.objects.filter(territory=territory).first()
    memberships = (
        PlatformMembership.objects.filter(platform=platform, is_active=True)
        .select_related("organisation")
        .order_by("organisation__code")
        if platform
        else PlatformMembership.objects.none()
    )
    themes = Theme.objects.order_by("order", "code").prefetch_related("action_templates")
    return {
        "format": FORMAT,
        "territory": {
            "code": territory.code,
            "name": territory.name,
            "has_local_ccapex": territory.has_local_ccapex,
            "ccas_mdm_grouped": territory.ccas_mdm_grouped,
            "landlords_present": sorted(territory.landlords_present.values_list("code", flat=True)),
        },
        "communes": [
            {"insee_code": c.insee_code, "name": c.name}
            for c in territory.communes.order_by("insee_code")
        ],
        "platform": {
            "name": platform.name if platform else territory.name,
            "review_interval_months": platform.review_interval_months if platform else 3,
            "started_on": platform.started_on.isoformat()
            if platform and platform.started_on
            else None,
        },
        "organisations": [
            {
                "code": m.organisation.code,
                "name": m.organisation.name,
                "kind": m.organisation.kind,
            }
            for m in memberships
        ],
        "warning_rules": [
            {
                "code": rule.code,
                "kind": rule.kind,
                "parameters": rule.parameters,
                "is_active": rule.is_active,
                "weight": rule.weight,
                "order": rule.order,
            }
            for rule in WarningRule.objects.filter(territory=territory).order_by("order", "code")
        ],
        "references": [
            {
                "code": theme.code,
                "label": theme.label,
                "order": theme.order,
                "actions": [a.label for a in theme.action_templates.order_by("label")],
            }
            for theme in themes
            if theme.active
        ],
        "import_profiles": [
            {"landlord": profile.landlord.code, "column_mapping": profile.column_mapping}
            for profile in ImportProfile.objects.filter(
                landlord__in=territory.landlords_present.all()
            )
            .select_related("landlord")
            .order_by("landlord__code")
        ],
    }


def dump(data: Mapping[str, Any]) -> str:
    return HEADER + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)


def load(text: str | bytes) -> dict[str, Any]:
    if len(text) > MAX_BYTES:
        raise KitError(_("The file is too large (2 MB at most)."))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KitError(
            _("The file is not valid YAML or JSON: %(error)s") % {"error": error}
        ) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KitError(
            _("This is not a territory kit (format “%(format)s” expected).") % {"format": FORMAT}
        )
    return data


def _section(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise KitError(_("The section “%(key)s” is missing or malformed.") % {"key": key})
    return value


def _validated(instance: Any, where: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise KitError(
            _("%(where)s is not valid: %(details)s") % {"where": where, "details": details}
        ) from error


def _import_profile(entry: Any, territory: Territory) -> None:
    """A landlord's extract layout is shared by every territory it works in: created for a
    landlord that has none yet, never overwritten (that is the landlord's administrator's
    call, in the administration)."""
    if not isinstance(entry, dict) or not entry.get("landlord"):
        raise KitError(_("An extract layout of the file names no landlord."))
    landlord = territory.landlords_present.filter(code=entry["landlord"]).first()
    if landlord is None:
        raise KitError(
            _("Extract layout of %(code)s: this landlord is not present on the territory.")
            % {"code": entry["landlord"]}
        )
    mapping = entry.get("column_mapping") or {}
    problems = mapping_errors(mapping)
    if problems:
        raise KitError(
            _("Extract layout of %(code)s: %(problems)s")
            % {"code": landlord.code, "problems": " ".join(map(str, problems))}
        )
    ImportProfile.objects.get_or_create(
        landlord=landlord,
        defaults={"column_mapping": {key: value.strip() for key, value in mapping.items()}},
    )


@transaction.atomic
def import_territory(data: Mapping[str, Any], *, code: str = "", name: str = "") -> Territory:
    """Create a new territory from a kit (``code``/``name`` replace the file's). Refused as
    a whole with a French message on the first problem: nothing is created."""
    territory_data = _section(data, "territory", dict)
    communes = _section(data, "communes", list)
    platform_data = _section(data, "platform", dict)
    organisations = _section(data, "organisations", list)
    rules = _section(data, "warning_rules", list)
    references = data.get("references") or []
    code = (code or str(territory_data.get("code", ""))).strip()
    name = (name or str(territory_data.get("name", ""))).strip()
    if Territory.objects.filter(code=code).exists():
        raise KitError(_("A territory with the code %(code)s already exists.") % {"code": code})
    if Territory.objects.filter(name=name).exists():
        raise KitError(_("A territory named “%(name)s” already exists.") % {"name": name})
    try:
        with transaction.atomic():
            territory = Territory(
                code=code,
                name=name,
                has_local_ccapex=bool(territory_data.get("has_local_ccapex")),
                ccas_mdm_grouped=bool(territory_data.get("ccas_mdm_grouped")),
            )
            _validated(territory, _("The territory"))
            territory.save()

            orgs: dict[str, Organisation] = {}
            for entry in organisations:
                if not isinstance(entry, dict) or not entry.get("code"):
                    raise KitError(_("An organisation of the file has no code."))
                org = Organisation.objects.filter(code=entry["code"]).first()
                if org is None:
                    if entry.get("kind") not in OrganisationKind.values:
                        raise KitError(
                            _("Organisation %(code)s: unknown type “%(kind)s”.")
                            % {"code": entry["code"], "kind": entry.get("kind")}
                        )
                    org = Organisation(
                        code=entry["code"],
                        name=entry.get("name") or entry["code"],
                        kind=entry["kind"],
                    )
                    _validated(org, _("Organisation %(code)s") % {"code": entry["code"]})
                    org.save()
                orgs[org.code] = org
            landlords = []
            for landlord_code in territory_data.get("landlords_present") or []:
                landlord = (
                    orgs.get(landlord_code)
                    or Organisation.objects.filter(code=landlord_code).first()
                )
                if landlord is None:
                    raise KitError(
                        _("The landlord %(code)s is neither in the file nor in ETAGE.")
                        % {"code": landlord_code}
                    )
                landlords.append(landlord)
            territory.landlords_present.set(landlords)

            for entry in communes:
                insee = str((entry or {}).get("insee_code", "")) if isinstance(entry, dict) else ""
                taken = Commune.objects.filter(insee_code=insee, territory__isnull=False).first()
                if taken is not None:
                    raise KitError(
                        _(
                            "The commune %(insee)s already belongs to territory %(territory)s: "
                            "list the new territory's own communes in the file."
                        )
                        % {
                            "insee": insee,
                            "territory": taken.territory.code if taken.territory else "",
                        }
                    )
                commune = Commune.objects.filter(insee_code=insee).first() or Commune(
                    insee_code=insee, name=str(entry.get("name", ""))
                )
                commune.territory = territory
                _validated(commune, _("Commune %(insee)s") % {"insee": insee})
                commune.save()

            started = platform_data.get("started_on")
            platform = Platform(
                territory=territory,
                name=str(platform_data.get("name") or name),
                review_interval_months=platform_data.get("review_interval_months") or 3,
                started_on=dt.date.fromisoformat(str(started)) if started else None,
            )
            _validated(platform, _("The platform"))
            platform.save()
            for org in orgs.values():
                PlatformMembership.objects.create(platform=platform, organisation=org)

            for entry in rules:
                if not isinstance(entry, dict):
                    raise KitError(_("An early-warning rule of the file is malformed."))
                errors = parameter_errors(str(entry.get("kind")), entry.get("parameters") or {})
                if errors:
                    raise KitError(
                        _("Early-warning rule %(code)s: %(errors)s")
                        % {"code": entry.get("code"), "errors": " ".join(map(str, errors))}
                    )
                rule = WarningRule(
                    territory=territory,
                    code=entry.get("code", ""),
                    kind=entry.get("kind", ""),
                    parameters=entry.get("parameters") or {},
                    is_active=bool(entry.get("is_active", True)),
                    weight=entry.get("weight", 10),
                    order=entry.get("order", 0),
                )
                _validated(rule, _("Early-warning rule %(code)s") % {"code": entry.get("code")})
                rule.save()

            for entry in references:
                if not isinstance(entry, dict) or not entry.get("code"):
                    raise KitError(_("A theme of the file has no code."))
                theme, _created = Theme.objects.get_or_create(
                    code=entry["code"],
                    defaults={
                        "label": entry.get("label") or entry["code"],
                        "order": entry.get("order", 100),
                    },
                )
                for label in entry.get("actions") or []:
                    ActionTemplate.objects.get_or_create(theme=theme, label=str(label))

            for entry in data.get("import_profiles") or []:
                _import_profile(entry, territory)
    except (IntegrityError, TypeError, ValueError) as error:
        if isinstance(error, KitError):
            raise
        raise KitError(_("The file could not be imported: %(error)s") % {"error": error}) from error
    return territory
