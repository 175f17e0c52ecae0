"""Where the answers to access requests live: under ``MEDIA_ROOT/privacy``, outside the web
root, under random names, readable by the application's user only (data-protection.md #20).
No URL: an answer leaves only through the download view, for data-protection officers."""

from __future__ import annotations

import os

from django.conf import settings

from etage.support.storage import DocumentStorage


class AnswerStorage(DocumentStorage):
    @property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "privacy")


_storage = AnswerStorage()


def answer_storage() -> AnswerStorage:
    return _storage
