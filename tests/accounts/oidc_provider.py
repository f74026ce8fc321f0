"""A small but real OpenID Connect provider for tests: HTTP on 127.0.0.1, a random port.

It serves discovery, an authorization endpoint that approves at once, a token endpoint that
checks the client and the code and signs an RS256 ID token with a key made at start, a
userinfo endpoint (JSON, or a signed JWT as ProConnect answers) and the JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class Identity:
    """The person who signs in at the provider."""

    email: str | None = "agent@example.gouv.fr"
    given_name: str = "Camille"
    usual_name: str = "Martin"
    sub: str = field(default_factory=lambda: secrets.token_hex(8))
    siret: str | None = None  # ProConnect's "siret" claim: the person's organisation

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.sub,
            "given_name": self.given_name,
            "usual_name": self.usual_name,
        }
        if self.email is not None:
            claims["email"] = self.email
        if self.siret is not None:
            claims["siret"] = self.siret
        return claims


class OIDCProvider:
    def __init__(self, client_id: str = "guichet", client_secret: str | None = None):
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(16)
        self.identity = Identity()
        self.userinfo_as_jwt = False
        # PKCE (RFC 7636): with require_pkce, an authorization request without an S256
        # code_challenge is refused; a challenge given is always checked at the token endpoint.
        self.require_pkce = False
        self.challenges: list[str | None] = []
        self.id_token_audience: str | None = None  # None: the client id
        self.kid = secrets.token_hex(4)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        # What the provider saw, for assertions.
        self.requests: list[tuple[str, str]] = []
        self.nonces: list[str | None] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def hits(self, path: str) -> int:
        return sum(1 for _method, seen in self.requests if seen == path)

    # Endpoints -------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("client_id") != self.client_id:
            return 400, {}, {"error": "unauthorized_client"}
        if query.get("response_type") != "code" or not query.get("redirect_uri"):
            return 400, {}, {"error": "invalid_request"}
        if "openid" not in query.get("scope", "").split():
            return 400, {}, {"error": "invalid_scope"}
        challenge = query.get("code_challenge")
        if challenge is not None and query.get("code_challenge_method") != "S256":
            return 400, {}, {"error": "invalid_request"}
        if self.require_pkce and not challenge:
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.nonces.append(query.get("nonce"))
            self.challenges.append(challenge)
            self._codes[code] = {
                "redirect_uri": query["redirect_uri"],
                "nonce": query.get("nonce"),
                "identity": self.identity,
                "code_challenge": challenge,
            }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"}, None

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], Any]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {}, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {}, {"error": "invalid_grant"}
        if grant["code_challenge"] is not None:
            verifier = form.get("code_verifier") or ""
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not verifier or expected != grant["code_challenge"]:
                return 400, {}, {"error": "invalid_grant"}
        identity: Identity = grant["identity"]
        now = int(time.time())
        id_claims = {
            "iss": self.issuer,
            "sub": identity.sub,
            "aud": self.id_token_audience or self.client_id,
            "iat": now,
            "exp": now + 60,
            "nonce": grant["nonce"],
        }
        if identity.email is not None:
            id_claims["email"] = identity.email
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = identity.claims()
        return (
            200,
            {},
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": self.sign(id_claims),
            },
        )

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            claims = self._access_tokens.get(token)
        if claims is None:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, None
        if self.userinfo_as_jwt:
            body = {**claims, "iss": self.issuer, "aud": self.client_id}
            return 200, {"Content-Type": "application/jwt"}, self.sign(body)
        return 200, {}, claims

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


def _handler_for(provider: OIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            provider.requests.append(("GET", url.path))
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._answer(200, {}, provider.discovery())
            elif url.path == "/authorize":
                self._answer(*provider.authorize(query))
            elif url.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/jwks":
                self._answer(200, {}, provider.jwks())
            else:
                self._answer(404, {}, {"error": "not_found"})

        def do_POST(self):
            url = urlsplit(self.path)
            provider.requests.append(("POST", url.path))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            if url.path == "/token":
                self._answer(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            if isinstance(body, str):
                payload = body.encode()
            else:
                payload = b"" if body is None else json.dumps(body).encode()
                headers = {"Content-Type": "application/json", **headers}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass  # keep test output quiet

    return Handler
