"""Private file storage: outside the web root, with no URL. Files are streamed by views
that check who is asking."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


class PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


private_storage = PrivateStorage()


def get_private_storage():
    """For FileField(storage=...): a callable keeps the machine's path out of migrations."""
    return private_storage
