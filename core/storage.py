"""Private file storage: licence scans, certificates, signatures, lesson images, logbooks.

Either a folder on this machine's disk (PRIVATE_MEDIA_ROOT, the embedded default) or a
private bucket on S3-compatible object storage (PRIVATE_STORAGE_BACKEND=s3), which every
web and worker machine shares. Either way the files have no URL: views that check who is
asking stream them (``FileResponse`` over ``storage.open``). Code reads and writes them
only through this storage (``open``, ``save``, ``delete``, ``exists``, ``listdir``), never
by a path on disk, so that it works the same on both.
"""

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject
from storages.backends.s3 import S3Storage

MSG_NO_URL = "Private files have no URL; serve them through a view that checks access."


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError(MSG_NO_URL)


class PrivateS3Storage(S3Storage):
    """A private bucket. What keeps the files private is fixed here, not read from the
    environment: every object is written with an ACL that grants the bucket's owner alone
    (``bucket-owner-full-control``: the same as ``private`` when the site's credentials own
    the bucket, and the one canned ACL that AWS buckets with ACLs disabled, the default
    since 2023, accept), no custom (public) domain, and no URL is ever made, signed or not."""

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            default_acl="bucket-owner-full-control",
            querystring_auth=True,
            custom_domain=None,
            # Like the disk: a name already taken gets a suffix instead of replacing another
            # record's file (every course's signature is uploaded as signatures/signature.png).
            file_overwrite=False,
            # A file read for a response spools to a temporary file past this size, so
            # streaming a 10 MB scan does not hold it in the web process's memory.
            max_memory_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
        )
        return defaults

    def __init__(self, **options):
        for forced in ("default_acl", "querystring_auth", "custom_domain", "file_overwrite"):
            options.pop(forced, None)
        addressing_style = options.pop("addressing_style", None)
        super().__init__(**options)
        # A store that is slow or down fails the request in seconds instead of holding a
        # web process; transient errors are retried by botocore.
        self.client_config = Config(
            s3={"addressing_style": addressing_style},
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 4, "mode": "standard"},
        )

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(MSG_NO_URL)


class PrivateStorage(LazyObject):
    def _setup(self):
        if settings.PRIVATE_STORAGE_BACKEND == "s3":
            self._wrapped = PrivateS3Storage(**settings.PRIVATE_S3_OPTIONS)
        else:
            self._wrapped = PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


private_storage = PrivateStorage()


def get_private_storage():
    """For FileField(storage=...): a callable keeps the machine's path out of migrations."""
    return private_storage


def private_files(folder: str = "") -> list[str]:
    """Every file under ``folder`` of private storage, as names relative to its root, sorted
    (for backups and operators; a bucket has no folders, only key prefixes)."""
    try:
        folders, files = private_storage.listdir(folder)
    except FileNotFoundError:  # the disk's folder before anything was stored in it
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += private_files(f"{folder}/{sub}" if folder else sub)
    return sorted(names)
