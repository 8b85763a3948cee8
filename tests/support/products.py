"""The product catalogue in tests. Migration 0006 seeds it, but a transactional test
(the browser tests, live_server) flushes every table when it ends, so the tests that
need a product ask for it here: the catalogue is re-seeded from the migration's own data
when rows are missing."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps

from courses.models import Product

SEED = importlib.import_module("courses.migrations.0006_products")


def ensure_catalogue() -> None:
    """The six seeded products and their references, where missing (never changed)."""
    if Product.objects.count() < len(SEED.PRODUCTS):
        SEED.seed(django_apps, None)


def product(code: str = "onabotulinumtoxinA") -> Product:
    ensure_catalogue()
    return Product.objects.get(code=code)
