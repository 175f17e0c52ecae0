"""Where uploaded documents live (data-protection.md #20): under ``MEDIA_ROOT/documents``,
outside the web root, under random names, readable by the application's own user only.

The storage has no URL: nothing in ETAGE serves ``MEDIA_ROOT``; a document leaves only
through the download view, after the permission check and an access-log entry.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class DocumentStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    # Read from the settings at each use (not cached at import), so that a deployment's
    # ETAGE_MEDIA_DIR and the tests' temporary MEDIA_ROOT are always honoured.
    @property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "documents")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Documents have no URL: use the download view.")


_storage = DocumentStorage()


def document_storage() -> DocumentStorage:
    return _storage


def random_name(instance: Any, filename: str) -> str:
    """A random name that says nothing about the document (its original name stays in the
    database, shown only to those allowed to see the document)."""
    return secrets.token_hex(16)
