"""Security primitives: pure functions, no I/O beyond the thread pool for hashing."""

from core.security.encryption import DecryptionError, SecretBox
from core.security.jwt import TokenError, decode_token, encode_token
from core.security.passwords import PasswordHasher
from core.security.secrets import constant_time_equals, generate_token, hash_token

__all__ = [
    "DecryptionError",
    "PasswordHasher",
    "SecretBox",
    "TokenError",
    "constant_time_equals",
    "decode_token",
    "encode_token",
    "generate_token",
    "hash_token",
]
