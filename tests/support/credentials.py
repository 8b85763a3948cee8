"""Issuing keys for tests: a key store in a file of the test's own, so rotating or
revoking in one test never reaches another."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from certification.credentials import keys


def key_store_new(settings, folder: Path, *, count: int = 1) -> list[keys.IssuerKey]:
    """Point the settings at a new key file in ``folder`` holding one active key (and,
    with ``count`` > 1, older retired ones first); returns the keys, oldest first."""
    settings.CREDENTIAL_KEYS = ""
    settings.CREDENTIAL_KEYS_FILE = str(folder / "credential-keys.json")
    made = [keys.key_new() for _ in range(count)]
    made = [
        key if index == count - 1 else dataclasses.replace(key, status=keys.RETIRED, secret_multibase="")
        for index, key in enumerate(made)
    ]
    keys.key_store_save(made)
    return made
