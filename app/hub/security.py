"""Secrets: station tokens, operator session tokens, enrolment codes and PIN hashes.

Tokens and codes are random and stored only as SHA-256 digests (a stolen database holds no usable
token). PINs are short, so they are stored with Argon2id, a deliberately slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

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


def check_pin(pin_hash: str | None, pin: str) -> bool:
    """Verify ``pin``; with no hash (unknown badge, inactive operator) verify against the dummy hash and
    answer False, so a wrong PIN costs the same Argon2 work whether or not the badge exists."""
    if pin_hash is None:
        verify_pin(dummy_pin_hash(), pin)
        return False
    return verify_pin(pin_hash, pin)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
