"""Verifiable credentials: signed Open Badges 3.0 certificates.

``contexts/`` holds the JSON-LD contexts (served offline by ``loader``), ``keys`` the
issuer's Ed25519 keys, ``did`` the issuer's ``did:web`` document, ``signing`` the Data
Integrity proof (cryptosuite ``eddsa-rdfc-2022``) and our own verifier, ``openbadge`` the
credential itself, ``status`` its status-list entries.
"""
