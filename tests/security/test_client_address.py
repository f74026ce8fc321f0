"""One helper gives every limit its client address; forwarded headers only from trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.client import TrustedProxyMiddleware, client_address


def _request(remote: str, forwarded: str | None = None, **meta):
    extra = {"REMOTE_ADDR": remote, **meta}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # no proxy trusted: the header is ignored
        (["192.0.2.1"], "192.0.2.1", "10.0.0.1", "10.0.0.1"),
        (["192.0.2.0/24"], "192.0.2.7", "10.0.0.1, 192.0.2.3", "10.0.0.1"),  # two proxies
        # A client prepending a forged hop does not choose its address: the rightmost
        # untrusted hop is the one the trusted proxy saw.
        (["192.0.2.1"], "192.0.2.1", "1.2.3.4, 10.0.0.1", "10.0.0.1"),
        (["192.0.2.1"], "192.0.2.1", "not-an-address", "192.0.2.1"),
        (["192.0.2.1"], "192.0.2.1", None, "192.0.2.1"),
        (["2001:db8::/32"], "2001:db8::1", "[2001:db8:1::5]:443, 2001:db8::2", "2001:db8::1"),
        (["2001:db8::/32"], "2001:db8::1", "2a01::9", "2a01::9"),
        (["192.0.2.1"], "198.51.100.1", "10.0.0.1", "198.51.100.1"),  # not the proxy
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(_request(remote, forwarded)) == expected


def test_forwarded_headers_of_an_untrusted_peer_are_dropped(settings):
    settings.TRUSTED_PROXIES = ["192.0.2.1"]
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    middleware = TrustedProxyMiddleware(view)
    middleware(_request("198.51.100.1", "10.0.0.1", HTTP_X_FORWARDED_PROTO="https"))
    assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen
    seen.clear()
    middleware(_request("192.0.2.1", "10.0.0.1", HTTP_X_FORWARDED_PROTO="https"))
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
