"""Who a request comes from, for rate limits: one keyed hash per client, the same for every limit.

An IPv6 client is a /64 (one subscriber line), and its /48 is counted too (``network_key``): a /48,
one site's allocation, holds 65,536 /64s, so a client hopping from /64 to /64 would otherwise have
65,536 limits. The /48 may do ``NETWORK_FACTOR`` clients' worth (several lines share a site).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def client_address(request: HttpRequest) -> str:
    """The client's address: behind a proxy, the last hop of ``RATELIMIT_CLIENT_IP_HEADER``.

    An IPv6 address stands for its /64: one subscriber line holds a whole /64 and can change
    address within it at will.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if header := settings.RATELIMIT_CLIENT_IP_HEADER:
        # The trusted proxy appends the address it saw: the last entry is the one a client cannot forge.
        forwarded = request.META.get(header, "").split(",")[-1].strip()
        address = forwarded or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(request: HttpRequest) -> str:
    """The client's address as an HMAC keyed with ``SECRET_KEY``: the raw address is never stored or logged."""
    return _keyed(client_address(request))


NETWORK_PREFIX = 48
NETWORK_FACTOR = 8  # a /48's limit, in clients' limits


def network_key(request: HttpRequest) -> str | None:
    """The keyed hash of an IPv6 client's /48, counted beside its /64; None for an IPv4 client."""
    client = client_address(request)
    if not client.endswith("/64"):
        return None
    return _keyed(str(ipaddress.ip_network(client).supernet(new_prefix=NETWORK_PREFIX)))


def _keyed(address: str) -> str:
    return salted_hmac("ratelimit.client", address, algorithm="sha256").hexdigest()
