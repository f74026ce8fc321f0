import os

from django.core.wsgi import get_wsgi_application

from config.environment import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings_or_exit()  # a wrong setting: one line naming it, no traceback, gunicorn stops
application = get_wsgi_application()
