from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from etage.api.exceptions import PayloadTooLarge


class StrictJSONParser(JSONParser):
    """JSON in UTF-8, size-capped, with a French message for whatever cannot be read (the
    decoder's own English message is not passed on)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.ETAGE_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(size)s bytes: send fewer lines per request.")
                % {"size": limit}
            )
        try:
            text = codecs.decode(raw, "utf-8")
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise ParseError(_("The request body is not valid JSON (UTF-8 expected).")) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)
