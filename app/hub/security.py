"""Secrets: station tokens, operator session tokens, enrolment codes and PIN hashes.

Tokens and codes are random and stored only as SHA-256 digests (a stolen database holds no usable
token). PINs are short, so they are stored with Argon2id, a deliberately slow hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a printout


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrolment_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def hash_pin(pin: str) -> str:
    if not (4 <= len(pin) <= 12) or not pin.isdigit():
        raise ValueError("a PIN is 4 to 12 digits")
    return _hasher.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy_hash: list[str] = []


def dummy_pin_hash() -> str:
    """An Argon2id hash of a random PIN, made once per process with the same parameters as real ones."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash(secrets.token_hex(8)))
    return _dummy_hash[0]


def _low_priority() -> None:
    # Linux nice values are per thread, and the Argon2 lane threads inherit this one's.
    with contextlib.suppress(AttributeError, OSError):  # not on this OS, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# PIN checks run one at a time per hub process, on a thread at low CPU priority (nice 10): a storm of
# guesses (each ~0.1 s of Argon2 on every core) queues behind itself and leaves the CPU to the
# benches' leases and events.
_pin_checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pin-check", initializer=_low_priority)


def check_pin(pin_hash: str | None, pin: str) -> bool:
    """Verify ``pin``; with no hash (unknown badge, inactive operator) verify against the dummy hash and
    answer False, so a wrong PIN costs the same Argon2 work whether or not the badge exists."""
    if pin_hash is None:
        dummy = dummy_pin_hash()
        _pin_checks.submit(lambda: verify_pin(dummy, pin)).result()
        return False
    return _pin_checks.submit(lambda: verify_pin(pin_hash, pin)).result()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
