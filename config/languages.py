"""Languages, time zone and the formats of dates: French first, English available."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# config/formats/<language>/formats.py override Django's own (English dates day first).
FORMAT_MODULE_PATH = ["config.formats"]
