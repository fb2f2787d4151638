"""A relying party and a service client written with Authlib (Debian's python3-authlib), driving
auth-api as any Python application would: discovery, the authorization URL with PKCE, the
callback, the ID token and the access token verified against the JWKS, UserInfo, refresh (and
the old refresh token replayed), introspection, revocation, client credentials.

    python3 authlib-client.py authorize '<json>'   -> {"url", "state", "verifier", "nonce"}
    python3 authlib-client.py redeem '<json>'      -> what each step saw, and the refresh tokens
    python3 authlib-client.py replay '<json>'      -> the refresh tokens replayed, later
    python3 authlib-client.py service '<json>'     -> what each step saw

Every answer is one JSON line on stdout; Authlib's own checks raise, and the step's name and
the error reach the test instead of a result.
"""
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client import OAuthError
from authlib.jose import JsonWebKey, jwt


def metadata(issuer):
    return requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()


def key_set(meta):
    return JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())


def authorize(args):
    meta = metadata(args["issuer"])
    session = OAuth2Session(
        args["client_id"],
        args["client_secret"],
        scope="openid email profile",
        redirect_uri=args["redirect_uri"],
        code_challenge_method="S256",
    )
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return {"url": url, "state": state, "verifier": verifier, "nonce": nonce}


def oauth_error(call):
    """The OAuth error code a call fails with, or 'accepted'."""
    try:
        call()
        return "accepted"
    except OAuthError as error:
        return error.error


def redeem(args):
    meta = metadata(args["issuer"])
    keys = key_set(meta)
    seen = {}
    session = OAuth2Session(
        args["client_id"],
        args["client_secret"],
        redirect_uri=args["redirect_uri"],
        state=args["state"],
        token_endpoint_auth_method="client_secret_basic",
    )
    # Authlib checks the callback's state against the one it made, then redeems with the verifier.
    token = session.fetch_token(
        meta["token_endpoint"],
        authorization_response=args["callback"],
        code_verifier=args["verifier"],
    )
    seen["token_type"] = token["token_type"]
    id_claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": args["issuer"]},
            "aud": {"essential": True, "value": args["client_id"]},
            "nonce": {"essential": True, "value": args["nonce"]},
            "sub": {"essential": True},
        },
    )
    id_claims.validate()
    seen["id_token"] = {"sub": id_claims["sub"], "email": id_claims.get("email")}
    access = jwt.decode(token["access_token"], keys)
    access.validate()
    seen["access_token"] = {"typ": access.header.get("typ"), "sub": access["sub"]}
    seen["userinfo"] = session.get(meta["userinfo_endpoint"]).json()

    old_refresh = token["refresh_token"]
    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    seen["refresh_rotated"] = refreshed["refresh_token"] != old_refresh
    # Within REFRESH_REUSE_INTERVAL a racing tab replaying the old token gets the session's
    # current one (the `replay` step comes back once the test has moved auth-api's clock on).
    replayer = OAuth2Session(args["client_id"], args["client_secret"])
    raced = replayer.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    seen["old_refresh_raced"] = (
        "current" if raced["refresh_token"] == refreshed["refresh_token"] else "other"
    )
    seen["tokens"] = {"old": old_refresh, "current": refreshed["refresh_token"]}
    return seen


def replay(args):
    """RFC 9700 §4.14.2: past the interval, the replay ends the whole family."""
    meta = metadata(args["issuer"])
    replayer = OAuth2Session(args["client_id"], args["client_secret"])
    seen = {
        "old_refresh_replayed": oauth_error(
            lambda: replayer.refresh_token(meta["token_endpoint"], refresh_token=args["old"])
        ),
        "current_refresh_after_replay": oauth_error(
            lambda: replayer.refresh_token(meta["token_endpoint"], refresh_token=args["current"])
        ),
    }
    return seen


def service(args):
    meta = metadata(args["issuer"])
    keys = key_set(meta)
    seen = {}
    session = OAuth2Session(args["client_id"], args["client_secret"], scope="stats:read")
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    claims = jwt.decode(token["access_token"], keys)
    claims.validate()
    seen["access_token"] = {
        "typ": claims.header.get("typ"),
        "client_id": claims.get("client_id"),
        "scope": claims.get("scope"),
    }
    introspected = session.introspect_token(
        meta["introspection_endpoint"], token=token["access_token"]
    ).json()
    seen["introspected"] = {k: introspected.get(k) for k in ("active", "client_id", "scope")}
    revoked = session.revoke_token(
        meta["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token"
    )
    seen["revoke_status"] = revoked.status_code
    after = session.introspect_token(meta["introspection_endpoint"], token=token["access_token"])
    seen["introspected_after_revoke"] = after.json().get("active")
    wrong = OAuth2Session(args["client_id"], "not-the-secret", scope="stats:read")
    seen["wrong_secret"] = oauth_error(
        lambda: wrong.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    )
    greedy = OAuth2Session(args["client_id"], args["client_secret"], scope="admin:everything")
    seen["unknown_scope"] = oauth_error(
        lambda: greedy.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    )
    return seen


if __name__ == "__main__":
    command, payload = sys.argv[1], json.loads(sys.argv[2])
    steps = {"authorize": authorize, "redeem": redeem, "replay": replay, "service": service}
    result = steps[command](payload)
    print(json.dumps(result))
