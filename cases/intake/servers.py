"""Which IMAP servers a mailbox may reach: administrators type the server's name, and the poller
connects to it from inside the hosting network. Unless ``INTAKE_MAIL_ALLOW_PRIVATE_HOSTS``
(development and test), every address the name resolves to must be a public one (not loopback,
private, link-local, multicast, unspecified, reserved or a cloud metadata address), the
connection must be encrypted (TLS or STARTTLS) and the port IMAP's own (143, 993).

Checked when the mailbox is saved (``server_refusals``) and again at each connection
(``connect_addresses``: the name may resolve elsewhere since); the connection then goes to the
addresses it checked, one after the other as a resolver's would, so that a second resolution
cannot lead elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import Mailbox

IMAP_PORTS = (143, 993)
# Metadata services of cloud providers that a link-local or private range does not already
# cover (AWS's IPv4 one is link-local, its IPv6 one private; Azure's wire server is public).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "168.63.129.16", "100.100.100.200", "fd00:ec2::254")
)


class ServerRefused(Exception):
    """The mailbox's server may not be reached (address, port or security)."""


def _private_allowed() -> bool:
    return bool(settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS)


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64's well-known and local
# prefixes, IPv4-compatible, SIIT's IPv4-translated): the IPv4 address is what is reached.
_EMBEDDING_V4 = tuple(
    ipaddress.ip_network(prefix)
    for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0:0/96")
)
# Global by the standard library's reckoning, yet a cloud metadata service (Oracle's
# 192.0.0.192 lies in the IETF protocol assignments, 192.0.0.0/24).
_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"),)


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002::/16
        return ip.sixtofour
    if ip.teredo is not None:  # 2001::/32: the client's address
        return ip.teredo[1]
    if any(ip in prefix for prefix in _EMBEDDING_V4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_forbidden(address: str) -> bool:
    """Whether the poller must not connect to this IP address (an IPv6 address that carries an
    IPv4 one is judged by both)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_v4(ip)) is not None:
        candidates.append(inner)
    # Not global: loopback, private, link-local, unspecified, reserved, shared (100.64/10),
    # documentation... Multicast ranges count as global, so they are named.
    return any(
        not one.is_global
        or one.is_multicast
        or one in METADATA_ADDRESSES
        or any(one in network for network in _NOT_PUBLIC)
        for one in candidates
    )


def _addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``OSError`` when it does not)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a name IDNA cannot encode
        raise OSError(f"invalid server name: {exc}") from exc
    return list(dict.fromkeys(str(sockaddr[0]) for *_rest, sockaddr in found))


def server_refusals(*, host: str, port: int, security: str) -> dict[str, str]:
    """What the settings allow not in this server: field name -> message (empty: allowed).
    A name that does not resolve now is not refused here (the connection checks again)."""
    if _private_allowed():
        return {}
    refusals = {}
    if security == Mailbox.Security.NONE:
        refusals["security"] = _("Choose TLS or STARTTLS: the mailbox is read over the network.")
    if port not in IMAP_PORTS:
        refusals["port"] = _("Use the IMAP port: 993 (TLS) or 143 (STARTTLS).")
    try:
        addresses = _addresses(host, port) if host else []
    except OSError:
        addresses = []
    if any(address_forbidden(address) for address in addresses):
        refusals["host"] = _(
            "This server is on a private, local or reserved network address: give the "
            "mailbox's public server."
        )
    return refusals


def connect_addresses(mailbox: Mailbox) -> list[str] | None:
    """The checked addresses to connect to, in the resolver's order (``None``: connect by
    name, private hosts being allowed); ``ServerRefused`` when the settings do not allow this
    server; ``OSError`` when the name does not resolve."""
    if _private_allowed():
        return None
    if mailbox.security == Mailbox.Security.NONE or mailbox.port not in IMAP_PORTS:
        raise ServerRefused(f"security {mailbox.security}, port {mailbox.port}")
    addresses = _addresses(mailbox.host, mailbox.port)
    forbidden = [address for address in addresses if address_forbidden(address)]
    if forbidden or not addresses:
        raise ServerRefused(f"{mailbox.host} resolves to {', '.join(forbidden)}")
    return addresses
