"""JSON from outside (request bodies, uploaded files), read so that hostile input is an
error to show, not a 500.

Python's ``json`` accepts more than JSON: ``NaN`` and ``Infinity``, numbers that overflow
to infinity (``1e400``), integers too long to convert (a ``ValueError``), and nesting deep
enough to exhaust the C stack guard (a ``RecursionError``). ``json_loads`` refuses all of
them with a ``JSONInputError`` whose message can be shown to the sender, and ``json_body``
also refuses a request body over a stated size before it is read."""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

MSG_EMPTY = _("The request has no content; JSON was expected.")
MSG_NOT_UTF8 = _("The data is not UTF-8 text.")
MSG_NOT_JSON = _("The data is not valid JSON: {detail}.")
MSG_NOT_FINITE = _("The data holds a number that is not finite (NaN, Infinity or too large).")
MSG_LONG_NUMBER = _("The data holds a number with too many digits.")
MSG_TOO_DEEP = _("The data is nested too deeply.")
MSG_TOO_LARGE = _("The request is larger than {limit} bytes.")


class JSONInputError(ValueError):
    """Input that is not acceptable JSON; ``str(error)`` is the message for the sender."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


def _reject_constant(name: str):
    raise JSONInputError(str(MSG_NOT_FINITE))


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONInputError(str(MSG_NOT_FINITE))
    return value


def _bounded_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over sys.get_int_max_str_digits()
        raise JSONInputError(str(MSG_LONG_NUMBER)) from None


def json_loads(data: bytes | str) -> Any:
    """Parse strict JSON (UTF-8, a byte-order mark tolerated). Raises ``JSONInputError``."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JSONInputError(str(MSG_NOT_UTF8)) from None
    try:
        return json.loads(data, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except JSONInputError:
        raise
    except RecursionError:
        raise JSONInputError(str(MSG_TOO_DEEP)) from None
    except json.JSONDecodeError as error:
        raise JSONInputError(str(MSG_NOT_JSON).format(detail=error.msg)) from None


def json_body(request: HttpRequest, *, max_bytes: int) -> Any:
    """The request's body parsed by ``json_loads``; refused with status 413 when it is
    over ``max_bytes``, judged by the declared length before anything is read."""
    too_large = JSONInputError(str(MSG_TOO_LARGE).format(limit=max_bytes), status=413)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise too_large
    body = request.body
    if len(body) > max_bytes:
        raise too_large
    if not body.strip():
        raise JSONInputError(str(MSG_EMPTY))
    return json_loads(body)
