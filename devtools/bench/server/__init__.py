"""The server bench_api starts: the project's URLs plus the framework's floor (a bare view).

Not mounted in config/urls.py: only gunicorn started by ``manage.py bench_api`` serves it.
"""
