"""A real S3 API on loopback (moto's server mode) and private storage pointed at a bucket
of it, for tests of the object-storage backend (core.storage.PrivateS3Storage)."""

from __future__ import annotations

import contextlib
import itertools
import socket
from collections.abc import Iterator
from dataclasses import dataclass

# moto accepts any credentials; these only have to be present and stable.
ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"  # nosec B105 (a fake credential for the test server)
REGION = "us-east-1"
_buckets = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 and a free port, in a thread of this process; yields
    its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    endpoint: str
    name: str
    client: object  # boto3's S3 client, signed with the test credentials

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def url(self, key: str) -> str:
        """The object's plain (unsigned) URL, as anyone on the network could request it."""
        return f"{self.endpoint}/{self.name}/{key}"


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}),
    )


def private_storage_on_new_bucket(settings, endpoint: str) -> Bucket:
    """A new, empty bucket, and the settings that point private storage at it (what
    PRIVATE_STORAGE_BACKEND=s3 and the S3_* variables set in production)."""
    from django.utils.functional import empty

    from core.storage import private_storage

    client = s3_client(endpoint)
    name = f"glabella-test-{next(_buckets)}"
    client.create_bucket(Bucket=name)
    settings.PRIVATE_STORAGE_BACKEND = "s3"
    settings.PRIVATE_S3_OPTIONS = {
        "bucket_name": name,
        "endpoint_url": endpoint,
        "region_name": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "addressing_style": "path",
        "location": "",
    }
    private_storage._wrapped = empty  # built again from these settings on first use
    return Bucket(endpoint=endpoint, name=name, client=client)
