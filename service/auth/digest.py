"""How secrets are kept: keyed digests of the random ones the service hands out (tokens,
session cookies, kiosk codes, reset links), argon2id for what people hold (passwords,
recovery codes: ASVS 6.5.2 wants a salted slow hash below 112 bits of randomness)."""

import hashlib
import hmac

from argon2 import PasswordHasher

from service.core.settings import get_settings


def argon2_hasher() -> PasswordHasher:
    """The library's safe defaults; cheap in tests, which create many users."""
    if get_settings().env == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def digest(secret: str) -> str:
    """Keyed digest: a leaked table of short kiosk codes cannot be brute-forced offline."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
