"""Passwords, session tokens, CSRF tokens and the login lockout policy of the officers' console.

Kept apart from `storage/` on purpose: argon2 lives only in the app environment.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
FAILURE_WINDOW = timedelta(hours=1)  # a failure count restarts after an hour without failures
USER_FREE_FAILURES = 3  # wrong passwords for one username before it is locked for a while
IP_FREE_FAILURES = 20  # one office behind one address has many officers: more lenient
MAX_LOCK = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified when the username is unknown, so that case takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def hash_password_off_loop(password: str) -> str:
    """Hashing costs as much CPU as verifying: the console's handlers do it in a thread too."""
    return await asyncio.to_thread(hash_password, password)


def check_password_strength(password: str) -> str | None:
    """Why a new password is not acceptable (in Indonesian, shown in the console), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter."
    if password.lower() == password or password.upper() == password or not any(c.isdigit() for c in password):
        return "Kata sandi harus memuat huruf besar, huruf kecil, dan angka."
    return None


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2 takes tens of milliseconds of CPU: run it off the event loop."""
    return await asyncio.to_thread(_verify, password_hash, password)


class PasswordGate:
    """At most `limit` password checks at once per address, `queue` more waiting; beyond that a
    check is refused. Argon2 costs tens of milliseconds of CPU and memory each: one address must
    not be able to keep every core busy with guesses under different usernames. The lockout
    (`storage.login_throttle`) bounds how many checks an address gets; this bounds how many run
    together. An entry lives only while someone holds or waits for it."""

    def __init__(self, limit: int = 2, queue: int = 4) -> None:
        self.limit, self.queue = limit, queue
        self._entries: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[bool]:
        """Yields True once a check may run for `key`, False at once when too many are waiting."""
        semaphore, users = self._entries.setdefault(key, (asyncio.Semaphore(self.limit), [0]))
        if users[0] >= self.limit + self.queue:
            yield False
            return
        users[0] += 1
        try:
            async with semaphore:
                yield True
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._entries.pop(key, None)


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def _lock_after(free: int) -> Callable[[int], timedelta | None]:
    def lockout(failures: int) -> timedelta | None:
        """None while failures are few; then 5 s, 10 s, 20 s … doubling up to 15 minutes."""
        if failures < free:
            return None
        return min(MAX_LOCK, timedelta(seconds=5 * 2 ** min(failures - free, 12)))

    return lockout


user_lockout = _lock_after(USER_FREE_FAILURES)
ip_lockout = _lock_after(IP_FREE_FAILURES)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret: str, token: str) -> str:
    """What the sessions table keeps instead of the cookie's value."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def login_csrf(secret: str, nonce: str) -> str:
    """The login form's CSRF token, bound to a pre-login cookie (there is no session yet)."""
    return hmac.new(secret.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def same(first: str | None, second: str | None) -> bool:
    return bool(first) and bool(second) and hmac.compare_digest(str(first), str(second))
