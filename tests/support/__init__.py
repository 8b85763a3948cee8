"""Helpers shared by the test modules of every app: builders of domain objects through
the real services (handson, practical, written, certificates), sign-in and TOTP codes,
the Celery worker and broker harness, waiting for an event, reading the emails a worker
wrote and the files it stored. Fixtures live in the conftest.py files; factories in each
app's tests/factories.py. No test module imports another test module."""
