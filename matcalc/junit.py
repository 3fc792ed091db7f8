"""`matcalc check --junit-xml FILE`: the results as a JUnit XML report, which CI systems read (and
merge, one report per shard): a test case per claim (classname the file, name proof::claim-N; a
file that could not be read: name "file") and per document (name "equations"). A claim or
document not as expected is a failure; one that could not be checked (verdict error) is an error.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .notes import Checked
    from .report import ClaimReport

#: Characters XML 1.0 cannot hold (even escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(s: str) -> str:
    return _NOT_XML.sub("\ufffd", s)


def _claim_case(r: ClaimReport) -> ET.Element:
    from .printers.rows import verdict_line

    if r.claim is None:
        case = ET.Element("testcase", classname=_text(r.file), name="file")
        ET.SubElement(case, "error", message=_text(r.error), type="error").text = _text(r.error)
        return case
    case = ET.Element("testcase", classname=_text(r.file), name=_text(f"{r.proof}::claim-{r.claim.index}"))
    line = verdict_line(r)
    if not r.ok:
        details = [line]
        cx = r.claimed.counterexample if r.claimed is not None else None
        details += [f"{k}: {v}" for k, v in (cx or {}).items() if k != "summary"]
        tag = "error" if r.verdict == "error" else "failure"
        ET.SubElement(case, tag, message=_text(line), type=r.verdict).text = _text("\n".join(details))
    elif getattr(r, "cached", False):
        ET.SubElement(case, "system-out").text = _text(line)
    return case


def _document_case(d: Checked) -> ET.Element:
    from .notes.report import plain, summary, summary_line

    case = ET.Element("testcase", classname=_text(d.document.name), name="equations")
    if not d.ok:
        text = plain(d, quiet=True) + summary_line(summary([d]))
        tag = "error" if d.error else "failure"
        ET.SubElement(case, tag, message=_text(summary_line(summary([d]))),
                      type="error" if d.error else "not as expected").text = _text(text)
    return case


def junit_xml(reports: list[ClaimReport], documents: list[Checked], *, name: str = "matcalc check") -> bytes:
    """The report: one <testsuite> in <testsuites>, with the counts CI systems read."""
    cases = [_claim_case(r) for r in reports] + [_document_case(d) for d in documents]
    failures = sum(c.find("failure") is not None for c in cases)
    errors = sum(c.find("error") is not None for c in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors), "skipped": "0"}
    root = ET.Element("testsuites", **counts)
    suite = ET.SubElement(root, "testsuite", name=name, **counts)
    suite.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
