"""Health probe for container health checks: ``python deploy/probe.py /readyz``.

Asks this container's gunicorn (PORT, 8000 by default) with a Host header Django accepts (the
first of DJANGO_ALLOWED_HOSTS) and exits 0 on a 200, 1 otherwise. Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request


def main(path: str) -> int:
    host = (os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    if host.startswith("."):
        host = host[1:]
    port = os.environ.get("PORT") or "8000"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host or "localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/healthz"))
