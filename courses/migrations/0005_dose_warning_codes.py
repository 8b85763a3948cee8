"""Dose warnings were stored as English sentences; they are now codes with parameters,
worded when shown (courses.handson.face_sites.warning_text). This reads the four
sentences the log ever wrote back into codes; anything else is kept as
{"code": "legacy", "params": {"text": …}}, shown as it was. Reversible: the codes are
written back as the same English sentences.

The sentence formats and area names are frozen here, as they were when the sentences
were written: later changes to face_sites must not change what this migration reads.
Audit events keep the sentences they recorded (the audit log is append-only).
"""

import re

from django.db import migrations

AREA_NAMES = {
    "glabella": "Glabellar lines",
    "forehead": "Forehead lines",
    "lateral_canthal": "Lateral canthal lines (crow's feet)",
    "bunny_lines": "Bunny lines (nasalis)",
    "perioral": "Perioral (lip) lines",
    "dao": "Depressor anguli oris (DAO)",
    "mentalis": "Mentalis (chin)",
    "masseter": "Masseter (optional)",
}
AREA_BY_NAME = {name: code for code, name in AREA_NAMES.items()}
AREA_BY_LOWER_NAME = {name.lower(): code for code, name in AREA_NAMES.items()}

NUMBER = r"\d+(?:\.\d+)?"
SENTENCES = {
    "area_off_reference": (
        re.compile(
            rf"^(?P<area>.+): (?P<units>{NUMBER}) U given; "
            rf"the on-label dose is (?P<reference>{NUMBER}) U over (?P<sites>\d+) sites\.$"
        ),
        "{area}: {units} U given; the on-label dose is {reference} U over {sites} sites.",
    ),
    "area_without_partner": (
        re.compile(
            rf"^(?P<area>.+): given without the (?P<partner>.+); on label they are treated together "
            rf"\((?P<partner_units>{NUMBER}) U to the (?P=partner)\)\.$"
        ),
        "{area}: given without the {partner}; on label they are treated together "
        "({partner_units} U to the {partner}).",
    ),
    "session_over_maximum": (
        re.compile(rf"^Session total: (?P<units>{NUMBER}) U given; the maximum is (?P<maximum>\d+) U in 3 months\.$"),
        "Session total: {units} U given; the maximum is {maximum} U in 3 months.",
    ),
    "model_over_maximum": (
        re.compile(
            rf"^Model (?P<model_code>\S+): (?P<units>{NUMBER}) U in 90 days including earlier sessions; "
            rf"the maximum is (?P<maximum>\d+) U in 3 months\.$"
        ),
        "Model {model_code}: {units} U in 90 days including earlier sessions; "
        "the maximum is {maximum} U in 3 months.",
    ),
}


def sentence_to_code(text):
    for code, (pattern, _template) in SENTENCES.items():
        match = pattern.match(text)
        if match is None:
            continue
        params = match.groupdict()
        if "area" in params:
            if params["area"] not in AREA_BY_NAME:
                break
            params["area"] = AREA_BY_NAME[params["area"]]
        if "partner" in params:
            if params["partner"] not in AREA_BY_LOWER_NAME:
                break
            params["partner"] = AREA_BY_LOWER_NAME[params["partner"]]
        return {"code": code, "params": params}
    return {"code": "legacy", "params": {"text": text}}


def code_to_sentence(warning):
    code, params = warning.get("code"), dict(warning.get("params") or {})
    if code not in SENTENCES:
        return str(params.get("text", code))
    if "area" in params:
        params["area"] = AREA_NAMES.get(params["area"], params["area"])
    if "partner" in params:
        params["partner"] = AREA_NAMES.get(params["partner"], params["partner"]).lower()
    return SENTENCES[code][1].format(**params)


def _convert(apps, convert_one):
    InjectionSession = apps.get_model("courses", "InjectionSession")
    changed = []
    for session in InjectionSession.objects.only("pk", "dose_warnings").iterator(chunk_size=500):
        warnings = session.dose_warnings or []
        converted = [convert_one(w) for w in warnings]
        if converted != warnings:
            session.dose_warnings = converted
            changed.append(session)
        if len(changed) >= 500:
            InjectionSession.objects.bulk_update(changed, ["dose_warnings"])
            changed = []
    if changed:
        InjectionSession.objects.bulk_update(changed, ["dose_warnings"])


def forwards(apps, schema_editor):
    _convert(apps, lambda w: sentence_to_code(w) if isinstance(w, str) else w)


def backwards(apps, schema_editor):
    _convert(apps, lambda w: code_to_sentence(w) if isinstance(w, dict) else w)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_certificate_settings"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
