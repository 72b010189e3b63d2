"""Private file storage: files on disk with no URL at all.

Attachments are personal data; they are served only by permission-checked views. A storage
whose ``url()`` raises makes it impossible to link one by accident.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no URL; serve them through a view.")
