"""Health probe for container health checks: ``python deploy/probe.py /readyz``.

Asks this container's gunicorn (PORT, 8000 by default) with a Host header Django accepts (the
first of DJANGO_ALLOWED_HOSTS) and exits 0 on a 200, 1 otherwise. Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request


def host_header(allowed_hosts: str) -> str:
    """A Host that ``DJANGO_ALLOWED_HOSTS`` accepts: its first name (``.example.fr`` stands for
    ``example.fr`` and its subdomains); ``*`` accepts any, but is no host name (Django answers
    400 to ``Host: *``), so ``localhost`` then."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main(path: str) -> int:
    host = host_header(os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost")
    port = os.environ.get("PORT") or "8000"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/healthz"))
