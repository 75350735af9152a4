"""Which tabs collabsheet made: the mark a backend puts on every tab it writes, so that it
replaces only those and never an office tab that happens to share a result tab's name.

In an .xlsx package the mark is a custom document property (File > Properties > Custom in
Excel, File > Properties > Custom Properties in LibreOffice; both keep it when they save) named
``collabsheet tabs`` whose value lists the titles of the tabs collabsheet wrote, as JSON. In a
Google Sheet it is developer metadata on the sheet itself (key ``collabsheet``), which follows
the sheet through renames and copies.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape, quoteattr

PROPERTY = "collabsheet tabs"
METADATA_KEY = "collabsheet"
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "custom-properties")
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_PROPERTY = re.compile(r"<(?:\w+:)?property\b(?P<a>[^>]*)>(?P<body>.*?)</(?:\w+:)?property>",
                       re.S)
_VALUE = re.compile(r"<(?:\w+:)?lpwstr>(.*?)</(?:\w+:)?lpwstr>", re.S)


def _unescape(text: str) -> str:
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def _ours(attrs: str) -> bool:
    m = re.search(r'\bname\s*=\s*("[^"]*"|\'[^\']*\')', attrs)
    return m is not None and _unescape(m.group(1)[1:-1]) == PROPERTY


def owned_titles(custom_xml: str | None) -> list[str]:
    """The titles the mark lists; none when there is no mark or it cannot be read (then every
    tab is the office's, which is the safe reading)."""
    if not custom_xml:
        return []
    for m in _PROPERTY.finditer(custom_xml):
        if _ours(m.group("a")):
            value = _VALUE.search(m.group("body"))
            try:
                titles = json.loads(_unescape(value.group(1))) if value else []
            except ValueError:
                return []
            return [t for t in titles if isinstance(t, str)] if isinstance(titles, list) else []
    return []


def with_titles(custom_xml: str | None, titles: list[str]) -> str:
    """The custom properties part with the mark listing ``titles``; the office's own
    properties are kept as they are."""
    value = escape(json.dumps(titles, ensure_ascii=False))
    if not custom_xml:
        custom_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      f'<Properties xmlns="{_NS}" xmlns:vt="{_VT}"></Properties>')
    for m in _PROPERTY.finditer(custom_xml):
        if _ours(m.group("a")):
            body = m.group("body")
            v = _VALUE.search(body)
            if v is None:
                body = f"<vt:lpwstr>{value}</vt:lpwstr>"
            else:
                body = body[:v.start(1)] + value + body[v.end(1):]
            return custom_xml[:m.start("body")] + body + custom_xml[m.end("body"):]
    pids = [int(p) for p in re.findall(r'\bpid\s*=\s*["\'](\d+)["\']', custom_xml)]
    prefix = re.match(r"[\s\S]*?<(\w+:)?Properties\b", custom_xml)
    own = (prefix.group(1) or "") if prefix else ""
    vt = re.search(r'xmlns:(\w+)\s*=\s*["\']' + re.escape(_VT), custom_xml)
    vt_prefix = vt.group(1) if vt else "vt"
    declare = "" if vt else f' xmlns:vt="{_VT}"'
    tag = (f"<{own}property fmtid={quoteattr(_FMTID)} pid=\"{max([1, *pids]) + 1}\" "
           f"name={quoteattr(PROPERTY)}{declare}><{vt_prefix}:lpwstr>{value}</{vt_prefix}:lpwstr>"
           f"</{own}property>")
    end = custom_xml.rfind(f"</{own}Properties>")
    if end < 0:  # <Properties/>
        close = re.search(rf"<{own}Properties\b[^>]*?/>", custom_xml)
        assert close is not None
        opened = close.group(0)[:-2] + ">"
        return (custom_xml[:close.start()] + opened + tag + f"</{own}Properties>"
                + custom_xml[close.end():])
    return custom_xml[:end] + tag + custom_xml[end:]


def sheet_metadata(sheet_id: int, value: str) -> dict[str, object]:
    """The Sheets API request that marks a sheet as collabsheet's."""
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": METADATA_KEY, "metadataValue": value,
        "location": {"sheetId": sheet_id}, "visibility": "DOCUMENT"}}}


def marked(sheet: dict[str, object]) -> bool:
    """Whether a sheet of ``spreadsheets.get`` (with developerMetadata) carries the mark."""
    found = sheet.get("developerMetadata")
    return isinstance(found, list) and any(
        isinstance(m, dict) and m.get("metadataKey") == METADATA_KEY for m in found)
