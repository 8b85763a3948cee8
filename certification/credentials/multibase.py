"""Multibase base58btc and the Multikey encodings of Ed25519 keys (W3C Controlled
Identifiers, "Multikey"): ``z`` + base58btc(multicodec prefix + key bytes)."""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (0xed), varint
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv (0x1300), varint


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"Not base58btc: {char!r}")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("Only multibase base58btc ('z…') is supported.")
    return b58decode(text[1:])


def multikey_public(raw: bytes) -> str:
    return multibase_encode(ED25519_PUB + raw)


def multikey_secret(seed: bytes) -> str:
    return multibase_encode(ED25519_PRIV + seed)


def multikey_decode(text: str, prefix: bytes) -> bytes:
    data = multibase_decode(text)
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ValueError("Not an Ed25519 Multikey of the expected kind.")
    return data[len(prefix) :]
