"""Sealing a denunciation's accuser identity: encrypted at rest, opened for the inspectorate.

The key is derived from the service's SECRET_KEY with HKDF (a purpose-bound subkey, so the
secret is never used raw), and the data is sealed with Fernet (AES-128-CBC + HMAC-SHA256):
tampering or a wrong key fails loudly instead of giving garbage.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"hopthu/identity-seal/v1"


def derive_identity_key(secret: str) -> bytes:
    """A Fernet key for identity sealing, derived from the service secret."""
    if not secret:
        raise ValueError("SECRET_KEY is empty")
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


DEV_IDENTITY_KEY = derive_identity_key("dev-only-change-me")
"""The key of the development default secret (tests and local runs)."""


class SealError(Exception):
    """A sealed value cannot be opened (wrong key or altered data)."""


def seal(key: bytes, identity: dict[str, Any]) -> str:
    token = Fernet(key).encrypt(json.dumps(identity, ensure_ascii=False).encode("utf-8"))
    return token.decode("ascii")


def unseal(key: bytes, token: str) -> dict[str, Any]:
    try:
        data = Fernet(key).decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise SealError("cannot open the sealed identity (wrong key or altered data)") from exc
    value = json.loads(data)
    if not isinstance(value, dict):
        raise SealError("sealed identity is not a mapping")
    return value
