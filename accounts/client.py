"""Who is asking: the client's address, the same for every limit (API throttles, sign-in and
password-reset lockouts, the survey page).

``X-Forwarded-For`` is read only when the request comes from a proxy listed in
``TRUSTED_PROXIES`` (addresses or CIDR blocks): walking the header from the right, the first
address that is not a trusted proxy is the client. Anything else is written by the client
itself and ignored; ``TrustedProxyMiddleware`` removes the forwarded headers of untrusted
peers so that nothing downstream (``request.is_secure()``, the host) believes them either.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """The networks of ``values`` ("10.0.0.1", "10.0.0.0/8", "::1"); ValueError names a bad one."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: “{value}” is not an address or CIDR block"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return parse_networks(values)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(value: str) -> bool:
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    address = _address(value)
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address as a string; "unknown" when the peer gives none."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    if not remote or not is_trusted_proxy(remote):
        return remote or "unknown"
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A hop we cannot read: the chain cannot be trusted beyond it.
            return remote
        if not is_trusted_proxy(hop):
            return str(address)
    return remote


class TrustedProxyMiddleware:
    """First middleware: forwarded headers from an untrusted peer are dropped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR") or ""):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
