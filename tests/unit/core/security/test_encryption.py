from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.security.encryption import DecryptionError, SecretBox

BOX = SecretBox("s" * 48, "totp-secret")


@settings(max_examples=50)
@given(st.text(max_size=200), st.text(max_size=40))
def test_encrypt_decrypt_round_trips(plaintext: str, owner: str) -> None:
    sealed = BOX.encrypt(plaintext, associated=owner)
    assert BOX.decrypt(sealed, associated=owner) == plaintext
    assert sealed != BOX.encrypt(plaintext, associated=owner), "a fresh nonce every time"


def test_ciphertexts_are_bound_to_owner_key_and_purpose() -> None:
    sealed = BOX.encrypt("JBSWY3DPEHPK3PXP", associated="user-1")
    assert sealed != BOX.encrypt("JBSWY3DPEHPK3PXP", associated="user-1"), "fresh nonce each time"
    for box, owner in (
        (BOX, "user-2"),
        (SecretBox("t" * 48, "totp-secret"), "user-1"),
        (SecretBox("s" * 48, "other-purpose"), "user-1"),
    ):
        with pytest.raises(DecryptionError):
            box.decrypt(sealed, associated=owner)
    for broken in ("v2." + sealed[3:], sealed[:-2] + "AA", "v1.@@@", "v1."):
        with pytest.raises(DecryptionError):
            BOX.decrypt(broken, associated="user-1")
