"""Sign-in through the organisation's identity provider (OpenID Connect, code flow with
PKCE), when configured (``settings.oidc_*``); local accounts stay the embedded default.

The protocol pieces come from maintained libraries: authlib for the authorization
request and PKCE, joserfc (authlib's JOSE library) for the ID token's signature and
claims. The provider's own second factor counts (its ``amr`` claim must name one,
RFC 8176), so a browser signed in this way is signed in fully.

Nothing is kept between the redirect and the callback but a short-lived cookie holding
a random ``state``; the nonce and the PKCE verifier are keyed digests of it, so they
cannot be guessed without the service's secret key.
"""

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.digest import digest
from service.auth.exceptions import OidcRefused
from service.auth.service import hash_password
from service.core.settings import Settings, get_settings
from service.models.auth import Role, User

# RFC 8176 methods that are a second factor (or stronger than a password alone).
SECOND_FACTOR_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris"})
# Roles an identity provider may create an account for on first sign-in; the others
# belong to an agency, a location or a motive, so an administrator makes them first.
SELF_PROVISIONED = frozenset({Role.PLANNER, Role.OFFICER, Role.ADMIN, Role.LAWYER})
TIMEOUT = 10.0


def configured() -> bool:
    settings = get_settings()
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def _metadata(settings: Settings) -> dict[str, Any]:
    url = settings.oidc_metadata_url or (
        settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    return _get_json(url)


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as failed:
        raise OidcRefused(f"The identity provider cannot be reached: {failed}") from None
    return found


def _derived(purpose: str, state: str) -> str:
    return digest(f"oidc-{purpose}:{state}")


def authorization_url(redirect_uri: str) -> tuple[str, str]:
    """Where to send the browser, and the ``state`` to keep in its cookie."""
    settings = get_settings()
    state = secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.oidc_scope,
        "state": state,
        "nonce": _derived("nonce", state),
        "code_challenge": create_s256_code_challenge(_derived("pkce", state)),
        "code_challenge_method": "S256",
    }
    url: str = add_params_to_uri(_metadata(settings)["authorization_endpoint"], params)
    return url, state


@dataclass(frozen=True)
class Identity:
    subject: str
    username: str
    role: Role
    name: str
    email: str | None


def identity_from_callback(code: str, state: str, kept_state: str, redirect_uri: str) -> Identity:
    """Exchange the code for tokens and check the ID token: signature, issuer, audience,
    expiry, nonce, and a second factor at the provider."""
    if not (state and kept_state and hmac.compare_digest(state, kept_state)):
        raise OidcRefused("The sign-in with the identity provider expired; start again.")
    settings = get_settings()
    metadata = _metadata(settings)
    try:
        response = httpx.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": _derived("pkce", state),
            },
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        id_token = response.json()["id_token"]
    except (httpx.HTTPError, ValueError, KeyError) as failed:
        raise OidcRefused(f"The identity provider refused the sign-in: {failed}") from None
    claims = _checked_claims(id_token, metadata, settings, _derived("nonce", state))
    return _identity(claims, settings)


def _checked_claims(
    id_token: str, metadata: dict[str, Any], settings: Settings, nonce: str
) -> dict[str, Any]:
    keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))  # type: ignore[arg-type]  # JSON off the network
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as invalid:
        raise OidcRefused(f"The identity provider's ID token is not valid: {invalid}") from None
    if metadata["issuer"].rstrip("/") != settings.oidc_issuer.rstrip("/"):
        raise OidcRefused("The identity provider is not the configured issuer.")
    methods = set(token.claims.get("amr") or [])
    if settings.oidc_require_second_factor and not methods & SECOND_FACTOR_METHODS:
        raise OidcRefused("Sign in at the identity provider with a second factor.")
    return token.claims


def _identity(claims: dict[str, Any], settings: Settings) -> Identity:
    values = claims.get(settings.oidc_role_claim) or []
    values = [values] if isinstance(values, str) else list(values)
    roles = [settings.oidc_roles[v] for v in values if v in settings.oidc_roles]
    if not roles:
        raise OidcRefused("The identity provider grants no role in this service.")
    username = str(claims.get(settings.oidc_username_claim) or "").strip().lower()
    if not username:
        raise OidcRefused(f"The ID token has no '{settings.oidc_username_claim}'.")
    return Identity(
        subject=str(claims["sub"]),
        username=username,
        role=Role(roles[0]),
        name=str(claims.get("name") or username),
        email=claims.get("email"),
    )


def account_for(db: Session, identity: Identity) -> User:
    """The account bound to this provider subject; on first sign-in the account with its
    username (made by an administrator) is bound, or a new one made for roles that need
    nothing more. The provider's role must be the account's: a role changes through an
    administrator, not a claim."""
    user = db.scalar(select(User).where(User.oidc_subject == identity.subject))
    if user is None:
        user = db.scalar(select(User).where(User.username == identity.username))
        if user is not None and user.oidc_subject is not None:
            raise OidcRefused("This username belongs to another identity.")
        if user is None:
            user = _provision(db, identity)
        user.oidc_subject = identity.subject
    if not user.active:
        raise OidcRefused("This account is deactivated.")
    if user.role != identity.role:
        raise OidcRefused("The identity provider's role differs from this account's role.")
    db.flush()
    return user


def _provision(db: Session, identity: Identity) -> User:
    if identity.role not in SELF_PROVISIONED:
        raise OidcRefused(
            "An administrator makes accounts of this role first (they need an agency, "
            "a location or a motive)."
        )
    user = User(
        username=identity.username,
        display_name=identity.name[:200],
        email=identity.email,
        role=identity.role,
        # Never typed by anyone: this account signs in at the identity provider.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        active=True,
    )
    db.add(user)
    return user
