"""Autosave given bodies a browser would never send: each is a 400 (413 if too large) with
a JSON message saying what was wrong, and the answer already saved stays saved."""

import json

import pytest
from django.urls import reverse

from tests.support.written import autosave, ready_trainee, start, tokens

pytestmark = pytest.mark.django_db

NOT_FINITE = "The data holds a number that is not finite (NaN, Infinity or too large)."
TOO_DEEP = "The data is nested too deeply."
POSITION = "position must be the question's number (a whole number)."
KEYS = "keys must be a list of option keys (text)."
FLAGGED = "flagged must be true or false."
NOT_OBJECT = 'The request must be a JSON object such as {"position": 3, "keys": ["<an option of question 3>"]}.'
BAD_OPTION = "That answer is not one of this question's options."

HOSTILE = [
    pytest.param(b'{"position": 1e400, "keys": []}', NOT_FINITE, id="1e400"),
    pytest.param(b'{"position": -1e400, "keys": []}', NOT_FINITE, id="-1e400"),
    pytest.param(b'{"position": Infinity, "keys": []}', NOT_FINITE, id="Infinity"),
    pytest.param(b'{"position": -Infinity, "keys": []}', NOT_FINITE, id="-Infinity"),
    pytest.param(b'{"position": NaN, "keys": []}', NOT_FINITE, id="NaN"),
    pytest.param(b'{"position": 1, "flagged": 1e400}', NOT_FINITE, id="1e400-elsewhere"),
    pytest.param(b'{"position": 1' + b"0" * 5000 + b', "keys": []}', "The data holds a number with too many digits.",
                 id="5000-digit-int"),
    pytest.param(b'{"position": 1' + b"0" * 100 + b', "keys": []}', "There is no question … in this attempt.",
                 id="huge-int"),
    pytest.param(b'{"position": -1, "keys": []}', "There is no question -1 in this attempt.", id="negative"),
    # 10,000 levels fit under the size cap (100,000 are refused by size, below).
    pytest.param(b"[" * 10_000, TOO_DEEP, id="10k-["),
    pytest.param(b'{"position": 1, "keys": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", TOO_DEEP, id="deep-keys"),
    pytest.param(b'{"position": "1", "keys": []}', POSITION, id="position-string"),
    pytest.param(b'{"position": 1.0, "keys": []}', POSITION, id="position-float"),
    pytest.param(b'{"position": true, "keys": []}', POSITION, id="position-bool"),
    pytest.param(b'{"position": null, "keys": []}', POSITION, id="position-null"),
    pytest.param(b'{"position": [1], "keys": []}', POSITION, id="position-list"),
    pytest.param(b'{"keys": []}', POSITION, id="position-missing"),
    pytest.param(b'{"position": 1, "keys": "abc"}', KEYS, id="keys-string"),
    pytest.param(b'{"position": 1, "keys": {"a": "b"}}', KEYS, id="keys-object"),
    pytest.param(b'{"position": 1, "keys": 7}', KEYS, id="keys-number"),
    pytest.param(b'{"position": 1, "keys": [1, 2]}', KEYS, id="keys-numbers"),
    pytest.param(b'{"position": 1, "keys": [null]}', KEYS, id="keys-null-inside"),
    pytest.param(b'{"position": 1, "keys": [["x"]]}', KEYS, id="keys-nested"),
    pytest.param(json.dumps({"position": 1, "keys": ["x"] * 3000}).encode(), BAD_OPTION, id="keys-very-long"),
    pytest.param(b'{"position": 1, "flagged": "yes"}', FLAGGED, id="flagged-string"),
    pytest.param(b'{"position": 1, "flagged": 1}', FLAGGED, id="flagged-number"),
    pytest.param(b'{"position": 1, "flagged": []}', FLAGGED, id="flagged-list"),
    pytest.param(b'\xff\xfe{"position": 1}', "The data is not UTF-8 text.", id="not-utf8"),
    pytest.param('{"position": 1, "keys": ["é"]}'.encode("latin-1"), "The data is not UTF-8 text.", id="latin-1"),
    pytest.param(b"", "The request has no content; JSON was expected.", id="empty"),
    pytest.param(b"   ", "The request has no content; JSON was expected.", id="blank"),
    pytest.param(b"not json", "The data is not valid JSON: Expecting value.", id="not-json"),
    pytest.param(b"[]", NOT_OBJECT, id="top-list"),
    pytest.param(b'"position"', NOT_OBJECT, id="top-string"),
    pytest.param(b"3", NOT_OBJECT, id="top-number"),
    pytest.param(b"null", NOT_OBJECT, id="top-null"),
]  # fmt: skip


@pytest.fixture
def sitting(client_for):
    """A trainee's open attempt with question 1 answered."""
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first = attempt.items.get(position=1)
    assert autosave(client, attempt, position=1, keys=tokens(attempt, [first.options[0]["key"]])).status_code == 200
    return client, attempt, first


@pytest.mark.parametrize(("body", "message"), HOSTILE)
def test_a_hostile_autosave_is_a_400_with_its_reason_and_loses_nothing(sitting, body, message):
    client, attempt, first = sitting
    response = client.post(reverse("exams:autosave", args=[attempt.pk]), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["error"] == message
    first.refresh_from_db()
    assert first.response == [first.options[0]["key"]]
    assert not first.flagged


@pytest.mark.parametrize(
    "body",
    [json.dumps({"position": 1, "keys": ["x" * 100] * 200}).encode(), b"[" * 100_000],
    ids=["20KB", "100k-["],
)
def test_a_body_over_the_cap_is_refused_before_it_is_parsed(sitting, body):
    client, attempt, first = sitting
    response = client.post(reverse("exams:autosave", args=[attempt.pk]), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"ok": False, "error": "The request is larger than 16384 bytes."}
    first.refresh_from_db()
    assert first.response == [first.options[0]["key"]]


def test_a_well_formed_save_still_saves(sitting):
    client, attempt, first = sitting
    response = autosave(client, attempt, position=1, keys=tokens(attempt, [first.options[1]["key"]]), flagged=True)
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.response == [first.options[1]["key"]]
    assert first.flagged
