"""Argon2id hashing (cheap test parameters), legacy Django PBKDF2, rehash detection."""

from __future__ import annotations

import argon2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.security.passwords import PasswordHasher, make_django_pbkdf2, verify_django_pbkdf2

# The OWASP floor (19 MiB) with one pass: fast enough for property tests.
HASHER = PasswordHasher(memory_kib=19456, time_cost=1)
passwords = st.text(min_size=1, max_size=64)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passwords, passwords)
async def test_hash_then_verify_round_trips(password: str, other: str) -> None:
    encoded = await HASHER.hash(password)
    assert encoded.startswith("$argon2id$")
    assert encoded != await HASHER.hash(password), "a fresh salt every time"
    assert await HASHER.verify(encoded, password)
    assert await HASHER.verify(encoded, other) is (other == password)
    assert not HASHER.needs_rehash(encoded)


async def test_a_missing_hash_never_verifies() -> None:
    assert not await HASHER.verify(None, "bulkhead-dummy-password")
    assert not await HASHER.verify("garbage", "anything")


@settings(max_examples=15, deadline=None)
@given(passwords, st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=22))
async def test_django_pbkdf2_hashes_verify_and_want_a_rehash(password: str, salt: str) -> None:
    legacy = make_django_pbkdf2(password, salt, 1000)
    assert await HASHER.verify(legacy, password)
    assert not await HASHER.verify(legacy, password + "x")
    assert HASHER.needs_rehash(legacy)


async def test_a_hash_made_by_django_verifies() -> None:
    # Django 5's make_password("lètmein", "seasalt", "pbkdf2_sha256"), its default 1M rounds.
    encoded = "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps="
    assert await HASHER.verify(encoded, "lètmein")
    assert not await HASHER.verify(encoded, "letmein")


@pytest.mark.parametrize(
    "encoded",
    [
        "pbkdf2_sha256$x$salt$hash",
        "pbkdf2_sha256$0$salt$hash",
        "pbkdf2_sha256$1000$salt",
        "pbkdf2_sha256$99999999999$s$h",
    ],
)
def test_malformed_legacy_hashes_do_not_verify(encoded: str) -> None:
    assert not verify_django_pbkdf2(encoded, "anything")


async def test_argon2_hashes_with_outdated_parameters_want_a_rehash() -> None:
    weaker = argon2.PasswordHasher(
        memory_cost=8192, time_cost=1, parallelism=1, type=argon2.Type.ID
    )
    argon2i = argon2.PasswordHasher(
        memory_cost=19456, time_cost=1, parallelism=1, type=argon2.Type.I
    )
    for old in (weaker.hash("tangerine orbit"), argon2i.hash("tangerine orbit")):
        assert await HASHER.verify(old, "tangerine orbit")
        assert HASHER.needs_rehash(old)
    assert HASHER.needs_rehash("not a hash")


async def test_hashing_and_verifying_run_in_the_hasher_threads_never_on_the_loop() -> None:
    """A login flood must queue for the hashing threads, not stall the event loop."""
    import threading

    hasher = PasswordHasher(memory_kib=19456, time_cost=1, max_concurrency=2)
    seen: list[str] = []
    inner = hasher._hasher

    class Recording:
        def __getattr__(self, name: str) -> object:
            return getattr(inner, name)

        def hash(self, password: str) -> str:
            seen.append(threading.current_thread().name)
            return inner.hash(password)

        def verify(self, encoded: str, password: str) -> bool:
            seen.append(threading.current_thread().name)
            return inner.verify(encoded, password)

    hasher._hasher = Recording()  # type: ignore[assignment]
    try:
        encoded = await hasher.hash("tangerine orbit")
        assert await hasher.verify(encoded, "tangerine orbit")
        assert not await hasher.verify(None, "tangerine orbit")
    finally:
        hasher.close()
    loop_thread = threading.current_thread().name
    assert len(seen) == 3
    assert all(name.startswith("argon2") and name != loop_thread for name in seen), seen
