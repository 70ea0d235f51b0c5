"""Authenticated encryption of small secrets at rest (TOTP seeds), keyed from settings.

Each purpose gets its own 256-bit key, derived from the application secret with HKDF-SHA256,
so a key serves one job only. AES-256-GCM binds each ciphertext to an `associated` value
(the owning user's id): a secret copied to another row does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DecryptionError", "SecretBox"]

_VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext was tampered with, belongs elsewhere, or the key changed."""


class SecretBox:
    def __init__(self, secret: str, purpose: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=f"bulkhead/{purpose}/{_VERSION}".encode(),
        ).derive(secret.encode())
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, associated: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), associated.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, *, associated: str) -> str:
        version, _, body = token.partition(".")
        if version != _VERSION:
            raise DecryptionError("unknown ciphertext version")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            opened = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated.encode())
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("ciphertext does not open") from exc
        return opened.decode()
