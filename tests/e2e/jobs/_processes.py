"""Start real `bulkhead` processes for drills: a worker, the API, with a chosen environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BULKHEAD = str(Path(sys.executable).parent / "bulkhead")
_SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX", "APP_ENV", "DATA_DIR")


def bulkhead_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The process environment minus service settings, plus fast, test-sized job settings."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("JOB_")}
    for name in _SERVICE_VARIABLES:
        base.pop(name, None)
    return {
        **base,
        "APP_ENV": "test",
        "DATA_DIR": str(data_dir),
        "JWT_SECRET": "e2e-" + "s" * 40,
        "ARGON2_MEMORY_KIB": "19456",
        "ARGON2_TIME_COST": "1",
        "JOB_LEASE_SECONDS": "1",
        "JOB_POLL_MS": "50",
        "LOG_JSON": "true",
        **overrides,
    }


@contextmanager
def bulkhead_process(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `bulkhead ARGS`; whatever is still alive at the end is killed."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [BULKHEAD, *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
