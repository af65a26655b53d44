"""Vitrine: the Django project and the store's apps."""

from .celery import app as celery_app

__all__ = ("celery_app",)
