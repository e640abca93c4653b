"""Sign-in through the organisation's identity provider (OpenID Connect, code flow with
PKCE), when configured (``settings.oidc_*``); local accounts stay the embedded default.

The protocol pieces come from maintained libraries: authlib for the authorization
request and PKCE, joserfc (authlib's JOSE library) for the ID token's signature and
claims and the ``private_key_jwt`` client assertion. The provider's own second factor
counts when its ID token shows one (``amr`` or ``acr``, as configured), so a browser
signed in this way is signed in fully.

What a real provider needs (tested against panva's certified ``oidc-provider``):

- the ``claims`` request parameter asks for ``amr``/``acr`` in the ID token, and the
  profile and role claims at UserInfo, which is read after the token exchange;
- the role sits at a configurable claim path (``realm_access.roles``);
- clocks differ a little (``oidc_leeway_seconds``);
- discovery and JWKS are cached as the provider's HTTP headers say, and the JWKS is
  fetched again when a token names a key id it does not hold (key rotation);
- sign-out ends the session at the provider too (RP-initiated logout with the ID
  token kept with the session), and the provider can end ours (back-channel logout).

Nothing is kept between the redirect and the callback but a short-lived cookie holding
a random ``state``; the nonce and the PKCE verifier are keyed digests of it, so they
cannot be guessed without the service's secret key.
"""

import base64
import email.utils
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey, import_key
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.auth.digest import digest
from service.auth.exceptions import OidcIdentityTaken, OidcRefused
from service.auth.service import hash_password, sign_out_everywhere
from service.core.clock import utcnow
from service.core.settings import Settings, get_settings
from service.models.auth import Role, User, WebSession

log = logging.getLogger(__name__)

# Roles an identity provider may create an account for on first sign-in; the others
# belong to an agency, a location or a motive, so an administrator makes them first.
SELF_PROVISIONED = frozenset({Role.PLANNER, Role.OFFICER, Role.ADMIN, Role.LAWYER})
TIMEOUT = 10.0
SIGNING_ALGORITHMS = ["RS256", "PS256", "ES256"]
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A token naming an unknown key id fetches the JWKS again, at most this often (a
# forged back-channel call must not make the service hammer the provider).
KEY_REFETCH_SECONDS = 10.0
# A back-channel logout token older than this is refused.
LOGOUT_TOKEN_SECONDS = 120


def configured() -> bool:
    settings = get_settings()
    return bool(settings.oidc_issuer and settings.oidc_client_id)


# --- discovery and JWKS, cached as HTTP caching says (RFC 9111) ---------------------------


@dataclass
class _Cached:
    body: dict[str, Any]
    fresh_until: float  # time.monotonic()
    etag: str | None
    last_modified: str | None


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()
_last_forced: dict[str, float] = {}


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _last_forced.clear()


def _lifetime(response: httpx.Response, default: int) -> float | None:
    """How long the response stays fresh; None: not to be stored."""
    directives: dict[str, str] = {}
    for part in response.headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip('"')
    if "no-store" in directives:
        return None
    if "no-cache" in directives:
        return 0.0
    age = _int(response.headers.get("age")) or 0
    if (max_age := _int(directives.get("max-age"))) is not None:
        return max(0.0, float(max_age - age))
    expires, date = response.headers.get("expires"), response.headers.get("date")
    if expires:
        try:
            end = email.utils.parsedate_to_datetime(expires)
            start = email.utils.parsedate_to_datetime(date) if date else utcnow()
            return max(0.0, (end - start).total_seconds() - age)
        except (TypeError, ValueError):
            return 0.0  # an invalid Expires means already expired (RFC 9111 5.3)
    return float(default)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _get_json(url: str, *, refresh: bool = False) -> dict[str, Any]:
    """A provider document (discovery, JWKS), from the cache while fresh; a stale one is
    revalidated with its ETag or Last-Modified."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(url)
    if cached and not refresh and now < cached.fresh_until:
        return cached.body
    headers = {}
    if cached and cached.etag:
        headers["if-none-match"] = cached.etag
    if cached and cached.last_modified:
        headers["if-modified-since"] = cached.last_modified
    try:
        response = httpx.get(url, headers=headers, timeout=TIMEOUT)
        if response.status_code == 304 and cached:
            body = cached.body
        else:
            response.raise_for_status()
            body = response.json()
            if not isinstance(body, dict):
                raise ValueError("not a JSON object")
    except (httpx.HTTPError, ValueError) as failed:
        log.warning("OIDC: fetching %s failed: %s", url, failed)
        raise OidcRefused(
            f"The identity provider cannot be reached ({url}).", "unreachable"
        ) from None
    lifetime = _lifetime(response, get_settings().oidc_cache_seconds)
    with _cache_lock:
        if lifetime is None:
            _cache.pop(url, None)
        else:
            _cache[url] = _Cached(
                body,
                now + lifetime,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    return body


def _metadata(settings: Settings) -> dict[str, Any]:
    url = settings.oidc_metadata_url or (
        settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    metadata = _get_json(url)
    if str(metadata.get("issuer", "")).rstrip("/") != settings.oidc_issuer.rstrip("/"):
        raise OidcRefused("The identity provider is not the configured issuer.", "invalid")
    return metadata


def _keys(metadata: dict[str, Any], kid: str | None) -> KeySet:
    """The provider's keys; fetched again when the token's key id is not among them."""
    url = metadata["jwks_uri"]
    keys = KeySet.import_key_set(_get_json(url))  # type: ignore[arg-type]  # JSON off the network
    if kid and all(key.kid != kid for key in keys.keys):
        now = time.monotonic()
        with _cache_lock:
            allowed = now - _last_forced.get(url, -KEY_REFETCH_SECONDS) >= KEY_REFETCH_SECONDS
            if allowed:
                _last_forced[url] = now
        if allowed:
            keys = KeySet.import_key_set(_get_json(url, refresh=True))  # type: ignore[arg-type]
    return keys


def _header(token: str) -> dict[str, Any]:
    try:
        encoded = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, IndexError):
        header = None
    if not isinstance(header, dict):
        raise OidcRefused("The token is not a JWT.", "invalid")
    return header


# --- the authorization request ------------------------------------------------------------


def _derived(purpose: str, state: str) -> str:
    return digest(f"oidc-{purpose}:{state}")


def _claims_request(settings: Settings, metadata: dict[str, Any]) -> dict[str, Any]:
    """What the service needs, asked for with the ``claims`` parameter (OIDC Core 5.5):
    the second factor in the ID token, the rest where the provider serves it."""
    in_id_token: dict[str, Any] = {}
    if settings.oidc_amr_values:
        in_id_token["amr"] = {"essential": True}
    if settings.oidc_acr_values:
        in_id_token["acr"] = {"essential": True, "values": settings.oidc_acr_values}
    profile: dict[str, Any] = {
        settings.oidc_role_claim.split(".")[0]: {"essential": True},
        settings.oidc_username_claim: {"essential": True},
        "name": None,
        "email": None,
    }
    if metadata.get("userinfo_endpoint"):
        return {"id_token": in_id_token, "userinfo": profile}
    return {"id_token": {**profile, **in_id_token}}


def authorization_url(redirect_uri: str) -> tuple[str, str]:
    """Where to send the browser, and the ``state`` to keep in its cookie."""
    settings = get_settings()
    metadata = _metadata(settings)
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
    if metadata.get("claims_parameter_supported"):
        params["claims"] = json.dumps(_claims_request(settings, metadata), separators=(",", ":"))
    if settings.oidc_acr_values:
        params["acr_values"] = " ".join(settings.oidc_acr_values)
    url: str = add_params_to_uri(metadata["authorization_endpoint"], params)
    return url, state


# --- the callback ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    username: str
    role: Role
    name: str
    email: str | None
    id_token: str
    sid: str | None


def identity_from_callback(
    query: Mapping[str, str], kept_state: str, redirect_uri: str
) -> Identity:
    """The provider's answer: an error (the person cancelled, the provider refused), or
    a code to exchange for tokens; the ID token is checked (signature, issuer, audience,
    authorized party, expiry with leeway, nonce, a second factor), UserInfo is read."""
    settings = get_settings()
    if error := query.get("error"):
        log.info("OIDC: the provider answered %s: %s", error, query.get("error_description"))
        if error == "access_denied":
            raise OidcRefused("The sign-in was cancelled at the identity provider.", "cancelled")
        raise OidcRefused(f"The identity provider refused the sign-in ({error}).", "provider")
    state = query.get("state", "")
    if not (state and kept_state and hmac.compare_digest(state, kept_state)):
        raise OidcRefused("The sign-in with the identity provider expired; start again.", "expired")
    metadata = _metadata(settings)
    # RFC 9207: the authorization response names its issuer (mix-up attacks).
    answered_by = query.get("iss")
    if answered_by is not None and answered_by != metadata["issuer"]:
        raise OidcRefused("The answer came from another identity provider.", "invalid")
    if answered_by is None and metadata.get("authorization_response_iss_parameter_supported"):
        raise OidcRefused("The provider's answer does not name its issuer.", "invalid")
    code = query.get("code", "")
    if not code:
        raise OidcRefused("The identity provider sent no code.", "provider")
    tokens = _exchange(code, state, redirect_uri, metadata, settings)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcRefused("The identity provider sent no ID token.", "provider")
    claims = _checked_claims(id_token, metadata, settings, _derived("nonce", state))
    _require_second_factor(claims, settings)
    access_token = tokens.get("access_token")
    if metadata.get("userinfo_endpoint") and isinstance(access_token, str):
        claims = {**_userinfo(metadata["userinfo_endpoint"], access_token, claims), **claims}
    return _identity(claims, id_token, settings)


def _exchange(
    code: str, state: str, redirect_uri: str, metadata: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    endpoint = metadata["token_endpoint"]
    headers, credentials = client_authentication(settings, endpoint)
    try:
        response = httpx.post(
            endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": _derived("pkce", state),
                **credentials,
            },
            headers={"accept": "application/json", **headers},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as failed:
        log.warning("OIDC: the token endpoint cannot be reached: %s", failed)
        raise OidcRefused("The identity provider cannot be reached.", "unreachable") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_error or not isinstance(body, dict):
        log.warning("OIDC: the token endpoint answered %s: %s", response.status_code, body)
        raise OidcRefused(
            f"The identity provider refused the code ({response.status_code}).", "provider"
        )
    return body


def client_authentication(
    settings: Settings, token_endpoint: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form fields that prove the client at the token endpoint."""
    client_id = settings.oidc_client_id
    method = settings.oidc_client_auth_method
    if method == "client_secret_basic":
        # RFC 6749 2.3.1: both form-urlencoded before Basic (a secret may hold + / =).
        pair = (
            f"{quote_plus(client_id, safe='')}:{quote_plus(settings.oidc_client_secret, safe='')}"
        )
        return {"authorization": "Basic " + base64.b64encode(pair.encode()).decode()}, {}
    if method == "client_secret_post":
        return {}, {"client_id": client_id, "client_secret": settings.oidc_client_secret}
    key = _client_key(settings.oidc_client_private_key or _read(settings))
    now = int(time.time())
    header = {"alg": "ES256" if isinstance(key, ECKey) else "RS256"}
    if key.kid:
        header["kid"] = key.kid
    assertion = jwt.encode(
        header,
        {
            "iss": client_id,
            "sub": client_id,
            "aud": token_endpoint,
            "jti": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + 60,
        },
        key,
    )
    return {}, {
        "client_id": client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
    }


def _read(settings: Settings) -> str:
    path = settings.oidc_client_private_key_file
    return Path(path).read_text() if path else ""


@lru_cache(maxsize=4)
def _client_key(text: str) -> RSAKey | ECKey | OKPKey:
    if not text.strip():
        raise OidcRefused("private_key_jwt needs HEARING_OIDC_CLIENT_PRIVATE_KEY.", "provider")
    data = json.loads(text) if text.lstrip().startswith("{") else text
    key = import_key(data)
    if not isinstance(key, RSAKey | ECKey):
        raise OidcRefused("The client key must be an RSA or EC private key.", "provider")
    return key


def _checked_claims(
    id_token: str, metadata: dict[str, Any], settings: Settings, nonce: str
) -> dict[str, Any]:
    claims = _verified(
        id_token,
        metadata,
        settings,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": settings.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    _authorized_party(claims, settings)
    return claims


def _verified(
    token: str, metadata: dict[str, Any], settings: Settings, **options: Any
) -> dict[str, Any]:
    header = _header(token)
    keys = _keys(metadata, header.get("kid"))
    try:
        decoded = jwt.decode(token, keys, algorithms=SIGNING_ALGORITHMS)
        jwt.JWTClaimsRegistry(leeway=settings.oidc_leeway_seconds, **options).validate(
            decoded.claims
        )
    except (JoseError, ValueError) as invalid:
        log.warning("OIDC: a token from the provider is not valid: %s", invalid)
        raise OidcRefused(
            f"The identity provider's token is not valid: {invalid}", "invalid"
        ) from None
    claims: dict[str, Any] = decoded.claims
    return claims


def _authorized_party(claims: dict[str, Any], settings: Settings) -> None:
    """OIDC Core 3.1.3.7 (3-5): a token for several audiences names this client as its
    authorized party; an ``azp`` always names this client."""
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise OidcRefused("The ID token has several audiences and no azp.", "invalid")
    if azp is not None and azp != settings.oidc_client_id:
        raise OidcRefused("The ID token was issued to another client (azp).", "invalid")


def _require_second_factor(claims: dict[str, Any], settings: Settings) -> None:
    if not settings.oidc_require_second_factor:
        return
    methods = claims.get("amr") or []
    methods = [methods] if isinstance(methods, str) else list(methods)
    by_amr = bool(set(methods) & set(settings.oidc_amr_values))
    by_acr = bool(settings.oidc_acr_values) and claims.get("acr") in settings.oidc_acr_values
    if not (by_amr or by_acr):
        raise OidcRefused(
            f"No second factor at the identity provider (amr {methods}, "
            f"acr {claims.get('acr')!r}).",
            "second_factor",
        )


def _userinfo(endpoint: str, access_token: str, id_claims: dict[str, Any]) -> dict[str, Any]:
    """OIDC Core 5.3: the profile and role claims; its ``sub`` must be the ID token's."""
    try:
        response = httpx.get(
            endpoint,
            headers={"authorization": f"Bearer {access_token}", "accept": "application/json"},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        claims = response.json()
    except (httpx.HTTPError, ValueError) as failed:
        log.warning("OIDC: UserInfo failed: %s", failed)
        raise OidcRefused("The identity provider's UserInfo cannot be read.", "provider") from None
    if not isinstance(claims, dict) or claims.get("sub") != id_claims["sub"]:
        raise OidcRefused("UserInfo is about another subject.", "invalid")
    return claims


def claim_at(claims: Mapping[str, Any], path: str) -> list[str]:
    """The values at a dotted claim path (``realm_access.roles``): a list or one string."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _identity(claims: dict[str, Any], id_token: str, settings: Settings) -> Identity:
    values = claim_at(claims, settings.oidc_role_claim)
    roles = [settings.oidc_roles[v] for v in values if v in settings.oidc_roles]
    if not roles:
        raise OidcRefused(
            f"The identity provider grants no role in this service ({settings.oidc_role_claim}).",
            "no_role",
        )
    username = str(claims.get(settings.oidc_username_claim) or "").strip().lower()
    email = claims.get("email")
    return Identity(
        issuer=settings.oidc_issuer,
        subject=str(claims["sub"]),
        username=username,
        role=Role(roles[0]),
        name=str(claims.get("name") or username or claims["sub"]),
        email=email if isinstance(email, str) and email else None,
        id_token=id_token,
        sid=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
    )


# --- accounts -------------------------------------------------------------------------------


def account_for(db: Session, identity: Identity) -> User:
    """The account bound to this issuer and subject. On a first sign-in a new account is
    made for roles that need nothing more, when its username and e-mail are free; any
    existing account is linked only by an administrator (``link``), never by a matching
    username, which the provider may change or reuse. The provider's role must be the
    account's: a role changes through an administrator, not a claim."""
    user = db.scalar(
        select(User).where(
            User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject
        )
    )
    if user is None:
        user = _provision(db, identity)
    if not user.active:
        raise OidcRefused("This account is deactivated.", "deactivated")
    if user.role != identity.role:
        raise OidcRefused(
            "The identity provider's role differs from this account's role.", "role_mismatch"
        )
    db.flush()
    return user


def _provision(db: Session, identity: Identity) -> User:
    not_linked = OidcRefused(
        "No account is linked to this identity; an administrator links it.",
        "not_linked",
        subject=identity.subject,
    )
    if identity.role not in SELF_PROVISIONED or not identity.username:
        raise not_linked
    taken = select(User.id).where(User.username == identity.username)
    if identity.email:
        taken = select(User.id).where(
            (User.username == identity.username) | (User.email == identity.email)
        )
    if db.scalar(taken.limit(1)) is not None:
        raise not_linked
    user = User(
        username=identity.username,
        display_name=identity.name[:200],
        email=identity.email,
        role=identity.role,
        # Never typed by anyone: this account signs in at the identity provider.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        active=True,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    db.add(user)
    return user


def link(db: Session, user: User, subject: str) -> None:
    """An administrator binds an existing account to the configured provider's subject."""
    issuer = get_settings().oidc_issuer
    holder = db.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if holder is not None and holder.id != user.id:
        raise OidcIdentityTaken(f"This identity is linked to {holder.username} already.")
    user.oidc_issuer, user.oidc_subject = issuer, subject
    db.flush()


def unlink(db: Session, user: User) -> None:
    """An administrator removes the binding; the account's sessions end."""
    user.oidc_issuer = user.oidc_subject = None
    sign_out_everywhere(db, user)
    db.flush()


# --- signing out ----------------------------------------------------------------------------


def end_session_url(id_token: str, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout (OIDC RP-Initiated Logout 1.0): where the browser ends its
    session at the provider too, or None when the provider offers none."""
    if not configured():
        return None
    settings = get_settings()
    try:
        endpoint = _metadata(settings).get("end_session_endpoint")
    except OidcRefused:
        return None  # signed out here; the provider's session is beyond reach now
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "client_id": settings.oidc_client_id,
    }
    url: str = add_params_to_uri(endpoint, params)
    return url


def back_channel_logout(db: Session, logout_token: str) -> int:
    """OIDC Back-Channel Logout 1.0: the provider says a session there ended; the
    browser sessions it started here end too. Returns how many ended."""
    if not configured():
        raise OidcRefused("No identity provider is configured.", "invalid")
    settings = get_settings()
    metadata = _metadata(settings)
    claims = _verified(
        logout_token,
        metadata,
        settings,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": settings.oidc_client_id},
        iat={"essential": True},
        jti={"essential": True},
        events={"essential": True},
    )
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise OidcRefused("Not a logout token (events).", "invalid")
    if "nonce" in claims:
        raise OidcRefused("A logout token carries no nonce.", "invalid")
    # A replayed old token must not end sessions started since.
    if claims["iat"] < time.time() - LOGOUT_TOKEN_SECONDS - settings.oidc_leeway_seconds:
        raise OidcRefused("The logout token is too old.", "invalid")
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) or isinstance(sid, str)):
        raise OidcRefused("A logout token names a sub or a sid.", "invalid")
    sessions = update(WebSession).where(WebSession.ended_at.is_(None))
    if isinstance(sid, str):
        sessions = sessions.where(WebSession.oidc_sid == sid)
    if isinstance(sub, str):
        user_ids = select(User.id).where(
            User.oidc_issuer == settings.oidc_issuer, User.oidc_subject == sub
        )
        sessions = sessions.where(WebSession.user_id.in_(user_ids))
        if not isinstance(sid, str):
            sessions = sessions.where(WebSession.oidc_id_token.is_not(None))
    ended: int = db.execute(sessions.values(ended_at=utcnow())).rowcount  # type: ignore[attr-defined]
    log.info("OIDC: back-channel logout ended %s session(s)", ended)
    return ended
