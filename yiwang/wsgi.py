"""The production entry point: Django, with the kept government information pages served
in front of its middleware (``yiwang/disclosure/front.py``, decision 0038)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
django_application = get_wsgi_application()

from yiwang.disclosure.front import Front  # noqa: E402 (needs the settings configured)

application = Front(django_application)
