# The Celery app loads with Django, so @shared_task binds to it and .delay() from the web
# goes to our broker rather than Celery's default app.
from config.celery import app as celery_app

__all__ = ["celery_app"]
