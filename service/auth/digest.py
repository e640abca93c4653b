"""Keyed digests of the secrets the service hands out (tokens, session cookies, kiosk,
recovery and reset codes): the database keeps only these."""

import hashlib
import hmac

from service.core.settings import get_settings


def digest(secret: str) -> str:
    """Keyed digest: a leaked table of short kiosk codes cannot be brute-forced offline."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
