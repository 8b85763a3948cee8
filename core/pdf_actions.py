"""Does a PDF carry anything that runs or acts: a script, a launch, a form that submits
or imports, rich media, embedded or remote files, XFA, or an action that fires on its
own? Read the way a viewer reads it, so that hiding does not help:

* every indirect object in the cross-reference table, including those packed in
  compressed object streams, and everything reachable from the trailer, is visited;
* names are compared as the parser decodes them (``/#4A#61vaScript`` is ``/JavaScript``);
* as a second line, the raw bytes are scanned for the same names (``#xx`` decoded), for
  objects a viewer that rebuilds a damaged cross-reference table could find but the
  table does not list.

The walk is bounded in objects, nodes and depth (``PdfTooComplex`` past them), so a
hostile file cannot make it loop or run away. Imports pypdf only, never Django: it runs
in the memory-capped child (core/reencode.py).
"""

from __future__ import annotations

import io
import re

# Action types (/S) that run code, start programs, send or load data, play media or open
# other documents.
DANGEROUS_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/RichMediaExecute",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/Sound",
        "/Movie",
    }
)
# Keys whose mere presence means script, XFA forms, embedded files or actions triggered
# by events (opening, closing, focus, keystrokes, calculation).
DANGEROUS_KEYS = frozenset({"/JS", "/JavaScript", "/XFA", "/EmbeddedFiles", "/EF", "/AA", "/RichMediaContent"})
# Annotation subtypes that embed files or media.
DANGEROUS_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})
# What the raw scan looks for: names that never appear in a plain document.
RAW_NAMES = frozenset(
    {name[1:].encode() for name in DANGEROUS_ACTIONS | DANGEROUS_KEYS | DANGEROUS_SUBTYPES} | {b"EmbeddedFile"}
)

MAX_OBJECTS = 20_000  # indirect objects
MAX_NODES = 400_000  # dictionary entries and array items, all told
MAX_DEPTH = 64  # direct nesting inside one object

_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]{1,127})")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class PdfTooComplex(Exception):
    """More objects, nodes or nesting than the walk follows."""


def has_actions(data: bytes) -> bool:
    """True if the PDF carries an action or content that runs. Raises whatever pypdf
    raises for a file it cannot read (a damaged file), ValueError for one with no pages,
    and PdfTooComplex past the bounds."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    if _raw_names(data) & RAW_NAMES:
        return True
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # permissions-only encryption opens with the empty password
    if len(reader.pages) == 0:
        raise ValueError("no pages")
    walk = _Walk(reader)
    roots = [reader.trailer]
    for generation, objects in reader.xref.items():
        roots.extend(IndirectObject(number, generation, reader) for number in objects)
    roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    if len(roots) > MAX_OBJECTS:
        raise PdfTooComplex
    return any(walk.active(root) for root in roots)


def _raw_names(data: bytes) -> set[bytes]:
    names = set()
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        names.add(name)
    return names


class _Walk:
    def __init__(self, reader):
        self.reader = reader
        self.seen: set[tuple[int, int]] = set()
        self.nodes = 0

    def active(self, root) -> bool:
        """Depth-first over ``root`` and what it references, with an explicit stack."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in self.seen:
                    continue
                self.seen.add(key)
                if len(self.seen) > MAX_OBJECTS:
                    raise PdfTooComplex
                node, depth = node.get_object(), 0
            if depth > MAX_DEPTH:
                raise PdfTooComplex
            if isinstance(node, DictionaryObject):
                self.nodes += len(node)
                if self._dangerous(node):
                    return True
                stack.extend((value, depth + 1) for value in node.values())
            elif isinstance(node, ArrayObject):
                self.nodes += len(node)
                stack.extend((value, depth + 1) for value in node)
            if self.nodes > MAX_NODES:
                raise PdfTooComplex
        return False

    @staticmethod
    def _dangerous(node) -> bool:
        if any(key in node for key in DANGEROUS_KEYS):
            return True
        if _name(node, "/S") in DANGEROUS_ACTIONS:
            return True
        if _name(node, "/Subtype") in DANGEROUS_SUBTYPES or _name(node, "/Type") == "/EmbeddedFile":
            return True
        opening = node.get("/OpenAction")
        if opening is not None:
            # A destination ([page /Fit]) or a go-to is where the document opens;
            # anything else (a link followed, a form reset) would act on its own.
            opening = opening.get_object()
            if not isinstance(opening, list) and _name(opening, "/S") != "/GoTo":
                return True
        return False


def _name(node, key: str) -> str:
    value = node.get(key)
    return "" if value is None else str(value.get_object())
