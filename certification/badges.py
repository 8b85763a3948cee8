"""Moved to certification.credentials.openbadge; kept so old imports still work."""

from certification.credentials.openbadge import open_badge

__all__ = ["open_badge"]
