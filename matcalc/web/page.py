"""The web page as server-rendered HTML: the form, a result, an error beside its field, the catalog.

What the user typed is data: every piece of it is escaped here, and the form's query
parameters are named like `matcalc diff`'s options, so an address reproduces a result.
"""
from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from urllib.parse import urlencode

from ..front import declarations
from ..proof_text import toml_text
from ..printers.mathml import MATHML, math, mi, mo, mrow
from ..printers.mathml_document import lhs, matrix

#: The checker's text of a matrix of numbers: [1 -2/3; 4 5].
_MATRIX = re.compile(r"\[[-+0-9./e ]+(?:;[-+0-9./e ]+)*\]")
#: Fields that hold one declaration or assumption a line (repeatable query parameters).
LINES = ("sym", "let", "fn", "assume")
#: Fields of one value.
SINGLE = ("f", "wrt", "gradient", "jacobian", "hessian", "kind")
#: The box that reads f, wrt and the claimed gradient as LaTeX (on: "1"; `matcalc diff --latex`).
LATEX = "latex"
KIND_CHOICES = ("", "gradient", "jacobian", "hessian")
EXAMPLES = (
    ("softmax cross-entropy", {"f": "-Y' * log(softmax(Z))", "wrt": "Z", "sym": "Z = vector(n)\nY = vector(n)",
                               "assume": "sum(Y) = 1", "gradient": "softmax(Z) - Y"}),
    ("a linear layer", {"f": "-Y' * log(softmax(z))", "wrt": "W", "let": "z = W * x + b", "assume": "sum(Y) = 1",
                        "sym": "W = matrix(n, m)\nx = vector(m)\nb = vector(n)\nY = vector(n)"}),
    ("x'Ax, a wrong claim", {"f": "x' * A * x", "wrt": "x", "sym": "x = vector(n)\nA = matrix(n, n)",
                             "gradient": "2 * A * x"}),
    ("log det", {"f": "logdet(X)", "wrt": "X", "sym": "X = matrix(n, n)"}),
    ("the trace trick, in LaTeX", {"f": r"\operatorname{tr}(A^\top X B)", "wrt": "X", LATEX: "1"}),
    ("a Hessian", {"f": "norm(A * x - b) ^ 2", "wrt": "x", "kind": "hessian",
                   "sym": "A = matrix(m, n)\nx = vector(n)\nb = vector(m)"}),
)


def form_from_query(items) -> dict[str, str]:
    """The form's fields from query parameters (repeated ones joined a line each; the LaTeX box "1"
    when ticked, left out when not)."""
    form: dict[str, list[str]] = {}
    for key, value in items:
        if key in LINES or key in SINGLE:
            form.setdefault(key, []).append(value)
        elif key == LATEX:
            form[LATEX] = [value.strip()]
    if form.get(LATEX, [""])[-1] in ("", "0"):
        form.pop(LATEX, None)
    else:
        form[LATEX] = ["1"]
    return {k: "\n".join(v) if k in LINES else v[-1] for k, v in form.items()}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def body_from_form(form: dict[str, str]) -> dict:
    """The API's request body from the form; a declaration that is not NAME = VALUE is a MatcalcError
    whose ``field`` is its form field."""
    body: dict = {k: form[k].strip() for k in SINGLE if form.get(k, "").strip()}
    for field, key in (("sym", "symbols"), ("let", "let"), ("fn", "functions")):
        body[key] = declarations(_lines(form.get(field, "")), field)
    body["assume"] = _lines(form.get("assume", ""))
    if form.get(LATEX):
        body[LATEX] = True
    return body


def share_query(form: dict[str, str]) -> str:
    """The address's query for a form: one parameter per declaration, empty fields left out."""
    items = [(k, form[k].strip()) for k in SINGLE if form.get(k, "").strip()]
    items += [(LATEX, "1")] if form.get(LATEX) else []
    items += [(k, line) for k in LINES for line in _lines(form.get(k, ""))]
    return urlencode(items)


STYLE = """
:root{--ink:#1d2330;--muted:#5b6475;--line:#dde2ea;--accent:#2754c5;--ok:#1d7a3e;--bad:#b3261e;--bg:#f6f7f9}
*{box-sizing:border-box} body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{background:#fff;border-bottom:1px solid var(--line);padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline}
header b{font-size:1.25rem;letter-spacing:.02em} header a{color:var(--muted);text-decoration:none} header a:hover{color:var(--accent)}
main{max-width:1180px;margin:0 auto;padding:1rem 1.5rem 3rem}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem;margin-bottom:1rem}
form .row{display:grid;gap:.75rem 1rem;margin-bottom:.6rem}
.r1{grid-template-columns:1fr 8rem 9rem} .r2{grid-template-columns:repeat(4,1fr)} .r3{grid-template-columns:repeat(3,1fr) auto}
label{display:block;font-size:.8rem;font-weight:600;color:var(--muted);margin-bottom:.2rem}
.lab{display:flex;justify-content:space-between;margin-bottom:.2rem} .lab label{margin:0}
label.toggle{display:flex;gap:.3rem;align-items:center;cursor:pointer} .toggle input{margin:0;width:.8rem;height:.8rem}
input:not([type=checkbox]),textarea,select{width:100%;font:14px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;padding:.4rem .5rem;border:1px solid #c5ccd8;border-radius:6px;background:#fff}
textarea{height:5.2rem;resize:vertical} [aria-invalid=true]{border-color:var(--bad);background:#fff6f5}
button{font:inherit;font-weight:600;border:0;border-radius:6px;padding:.5rem 1rem;background:var(--accent);color:#fff;cursor:pointer}
button.ghost{background:#eef2fb;color:var(--accent)} .r3 button{align-self:end;height:2.3rem}
.field-error,.error{color:var(--bad);font-size:.85rem;margin:.25rem 0 0} .error{font-size:1rem}
.examples{font-size:.85rem;color:var(--muted);margin:.4rem 0 0} .examples a{color:var(--accent);margin-right:.8rem}
math{font-family:"Latin Modern Math","STIX Two Math",math;font-size:1.12em}
h3{font-size:1.05rem;font-weight:600;margin:.2rem 0 .8rem}
table.steps{border-collapse:collapse} .steps td{padding:.18rem .35rem;vertical-align:middle}
td.lhs{text-align:right;white-space:nowrap} td.rule{color:var(--muted);font-style:italic;font-size:.88rem;padding-left:2rem}
.result,.claimed{margin:.6rem 0} .result code,.claimed code{color:var(--muted);margin-left:.8rem}
.verdict{padding:.55rem .8rem;border-radius:6px;font-weight:600;margin:0 0 .8rem}
.claim{display:flex;flex-direction:column;align-items:flex-start} .claim h3{order:-2} .claim .verdict{order:-1;align-self:stretch}
.verdict.holds{background:#e7f5ec;color:var(--ok)} .verdict.refuted,.verdict.error,.verdict.unexpected{background:#fdecea;color:var(--bad)}
.verdict.expected{background:#eef2fb;color:var(--accent)}
table.cx{border-collapse:collapse;font-size:.9rem} .cx th,.cx td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
.cx th{background:var(--bg);font-weight:600} .tools{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
.tools a{color:var(--accent);font-size:.9rem;word-break:break-all} details pre{background:var(--bg);padding:.6rem;overflow:auto;font-size:.85rem}
.group h2{font-size:1.1rem;margin:1.2rem 0 .4rem} .catalog td{padding:.2rem .6rem;vertical-align:top} .muted{color:var(--muted)}
.tabs{position:relative} .tabs > input{position:absolute;opacity:0;left:0;top:0;width:1px;height:1px;margin:0} .tabs > label{display:inline-block;padding:.3rem .8rem;border:1px solid var(--line);
 border-radius:6px 6px 0 0;margin-right:.2rem;cursor:pointer;font-size:.9rem;color:var(--ink)}
.tabs > input:checked + label{background:var(--bg);font-weight:600} .tabs .pane{display:none}
.tabs .pane pre{background:var(--bg);padding:.6rem;overflow:auto;font-size:.8rem;max-height:26rem;margin:.4rem 0 0}
#code-numpy:checked ~ #pane-numpy,#code-jax:checked ~ #pane-jax,#code-torch:checked ~ #pane-torch{display:block}
.where{margin:.25rem 0 0;font-size:.85rem;background:#fff6f5;padding:.2rem .4rem;overflow-x:auto;white-space:pre}
.where mark{background:var(--bad);color:#fff;border-radius:2px}
.claim,.card{min-width:0;max-width:100%} table.steps,table.cx,.result,.claimed{display:block;max-width:100%;overflow-x:auto}
@media (max-width:640px){
 header{padding:.5rem .8rem;gap:.8rem;flex-wrap:wrap} main{padding:.6rem .5rem 2rem} .card{padding:.8rem .7rem}
 .r1,.r2,.r3{grid-template-columns:1fr 1fr} .r1 > :first-child,.r3 > :last-child{grid-column:1/-1}
 .r3 button{width:100%} textarea{height:4rem} td.rule{padding-left:.8rem;white-space:nowrap}
}
"""

SCRIPT = """
document.querySelectorAll('[data-copy]').forEach(b => { b.hidden = false; b.onclick = () =>
  navigator.clipboard.writeText(document.getElementById(b.dataset.copy).textContent)
    .then(() => { const t = b.textContent; b.textContent = 'Copied'; setTimeout(() => b.textContent = t, 1200); }); });
"""


#: The page's Content-Security-Policy: nothing from elsewhere, and no script but SCRIPT.
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'")


def document(title: str, body: str) -> str:
    """A whole page: header, ``body``, the style and the little script (the page works without it)."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f'<style>{STYLE}</style></head><body><header><b>matcalc</b><a href="/">derive and check</a>'
            f'<a href="/catalog">catalog</a><a href="/api/catalog">API</a></header><main>{body}</main>'
            f'<script>{SCRIPT}</script></body></html>\n')


def _input(form, name, label, *, area=False, placeholder="", field="", error="", beside="") -> str:
    """A field with its label (and ``beside`` it, on the label's line, more of the form)."""
    value, bad = escape(form.get(name, "")), name == field
    attrs = (f'id="{name}" name="{name}" placeholder="{escape(placeholder)}"'
             + (f' aria-invalid="true" aria-describedby="{name}-error"' if bad else ""))
    control = f"<textarea {attrs}>{value}</textarea>" if area else f'<input {attrs} value="{value}">'
    note = f'<p class="field-error" id="{name}-error">{escape(error)}</p>{_marked(form.get(name, ""), error, name)}' \
        if bad else ""
    head = f'<label for="{name}">{escape(label)}</label>'
    if beside:
        head = f'<div class="lab">{head}{beside}</div>'
    return f'<div>{head}{control}{note}</div>'


def _marked(value: str, error: str, name: str) -> str:
    """The line of the field's text that an error ``name:LINE:COLUMN: …`` points into, its character marked."""
    m = re.match(rf"{re.escape(name)}:(\d+):(\d+): ", error)
    lines = value.splitlines() or [""]
    if m is None or not 1 <= int(m.group(1)) <= len(lines):
        return ""
    text, col = lines[int(m.group(1)) - 1], int(m.group(2))
    if not 1 <= col <= len(text) + 1:
        return ""
    return (f'<pre class="where" aria-hidden="true">{escape(text[:col - 1])}<mark>{escape(text[col - 1:col] or " ")}'
            f'</mark>{escape(text[col:])}</pre>')


def form_html(form: dict[str, str], field: str = "", error: str = "") -> str:
    """The form, filled with ``form``; ``error`` shown beside ``field``."""
    def box(name, label, **kw):
        return _input(form, name, label, field=field, error=error, **kw)

    kinds = "".join(f'<option value="{k}"{" selected" if form.get("kind", "") == k else ""}>{k or "auto"}</option>'
                    for k in KIND_CHOICES)
    kind_note = f'<p class="field-error" id="kind-error">{escape(error)}</p>' if field == "kind" else ""
    examples = " ".join(f'<a href="/?{escape(share_query(ex))}">{escape(name)}</a>' for name, ex in EXAMPLES)
    latex = bool(form.get(LATEX))
    toggle = (f'<label class="toggle" title="read f, with respect to and the claimed gradient as LaTeX '
              f'(declarations stay in matcalc\'s language)"><input type="checkbox" id="{LATEX}" name="{LATEX}" '
              f'value="1"{" checked" if latex else ""}>LaTeX</label>')
    rows = [
        [box("f", "f", placeholder=r"\operatorname{tr}(A^\top X B)" if latex else "-Y' * log(softmax(Z))",
             beside=toggle),
         box("wrt", "with respect to", placeholder="X" if latex else "Z"),
         f'<div><label for="kind">result</label><select id="kind" name="kind">{kinds}</select>{kind_note}</div>'],
        [box("sym", "symbols, one a line", area=True, placeholder="Z = vector(n)"),
         box("let", "let (optional)", area=True, placeholder="z = W * x + b"),
         box("assume", "assumptions (optional)", area=True, placeholder="sum(Y) = 1"),
         box("fn", "functions (optional)", area=True, placeholder="sigma = elementwise")],
        [box("gradient", "claimed gradient (optional)", placeholder="softmax(Z) - Y"),
         box("jacobian", "claimed Jacobian (optional)"), box("hessian", "claimed Hessian (optional)"),
         '<button type="submit">Derive and check</button>'],
    ]
    grid = "".join(f'<div class="row r{i}">{"".join(row)}</div>' for i, row in enumerate(rows, 1))
    return f'<form class="card" method="get" action="/">{grid}<p class="examples">Examples: {examples}</p></form>'


def _cell(value) -> str:
    """A counterexample's value: nested tables for mappings and lists of rows, code for the rest."""
    if isinstance(value, dict):
        return '<table class="cx">' + "".join(f"<tr><th>{escape(str(k).replace('_', ' '))}</th><td>{_cell(v)}</td></tr>"
                                              for k, v in value.items()) + "</table>"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(value[0])
        head = "".join(f"<th>{escape(str(k).replace('_', ' '))}</th>" for k in keys)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(v.get(k))}</td>" for k in keys) + "</tr>" for v in value)
        return f'<table class="cx"><tr>{head}</tr>{rows}</table>'
    if isinstance(value, list):
        return f"<code>({escape(', '.join(map(str, value)))})</code>"
    if isinstance(value, str) and _MATRIX.fullmatch(value):
        return matrix([row.split() for row in value[1:-1].split(";")])
    return f"<code>{escape(str(value))}</code>"


def counterexample_html(cx: dict | None) -> str:
    if not cx:
        return ""
    shown = {k: v for k, v in cx.items() if k != "summary" and v is not None}
    return f'<h3>Counterexample</h3>{_cell(shown)}'


def _declared(body: dict, answer: dict) -> dict:
    """The request with the shapes matcalc inferred written into its symbols, as a proof file needs them."""
    if not answer.get("assumed"):
        return body
    return {**body, "symbols": {**(body.get("symbols") or {}), **answer["assumed"]}}


def result_html(form: dict[str, str], body: dict, result: dict) -> str:
    """A derivation (MathML from the worker), its counterexample, its address, LaTeX and TOML to copy
    (the proof file in the language: f, wrt and a gradient given in LaTeX as the worker read them)."""
    answer, query = result["answer"], share_query(form)
    if body.get(LATEX):
        body = {**body, **{k: v for k, v in result["read"].items() if v is not None}}
    tools = (f'<div class="tools"><a class="share" href="/?{escape(query)}">link to this result</a>'
             f'<button class="ghost" type="button" data-copy="latex-src" hidden>Copy LaTeX</button>'
             f'<button class="ghost" type="button" data-copy="toml-src" hidden>Copy proof file (TOML)</button></div>'
             f'<details><summary>LaTeX</summary><pre id="latex-src">{escape(answer["latex"])}</pre></details>'
             f'<details><summary>Proof file (TOML)</summary><pre id="toml-src">{escape(toml_text(_declared(body, answer)))}</pre></details>')
    return (f'<div class="card" id="result">{result["html"]}{counterexample_html(answer["counterexample"])}{tools}'
            f'{code_html(result.get("code") or {})}</div>')


def code_html(code: dict[str, str]) -> str:
    """The emitted module as tabs, NumPy, JAX, PyTorch (radio buttons and CSS: no script), each with a copy button."""
    if not code:
        return ""
    from .work import BACKENDS

    tabs, panes = [], []
    for i, (backend, source) in enumerate(code.items()):
        checked = " checked" if i == 0 else ""
        tabs.append(f'<input type="radio" name="code" id="code-{backend}"{checked}>'
                    f'<label for="code-{backend}">{BACKENDS[backend]}</label>')
        panes.append(f'<div class="pane" id="pane-{backend}"><button class="ghost" type="button" '
                     f'data-copy="{backend}-src" hidden>Copy {BACKENDS[backend]} code</button>'
                     f'<pre id="{backend}-src">{escape(source)}</pre></div>')
    return f'<section class="code"><h3>Code</h3><div class="tabs">{"".join(tabs)}{"".join(panes)}</div></section>'


def error_html(error: str) -> str:
    return f'<div class="card" id="result"><p class="error" role="alert">{escape(error)}</p></div>'


def catalog_html(proofs) -> str:
    """The catalog, grouped: each proof's claims as math, linked to its page that derives and checks them."""
    parts, group = [], None
    for entry, proof in proofs:
        if entry.group != group:
            if group is not None:
                parts.append("</table></section>")
            group = entry.group
            parts.append(f'<section class="group card"><h2>{escape(group)}</h2><table class="catalog">')
        claims = "<br>".join(_claim_line(c) for c in proof.claims)
        parts.append(f'<tr><td><a href="/catalog/{escape(entry.name)}">{escape(entry.name)}</a></td>'
                     f'<td>{escape(entry.title)}<br>{claims}</td></tr>')
    if group is not None:
        parts.append("</table></section>")
    return document("matcalc catalog", "".join(parts))


def _claim_line(claim) -> str:
    """f, and the claimed result with the verdict the catalog expects of it."""
    f_name = "F" if claim.kind == "jacobian" else "f"
    text = math(mrow(mi(f_name), mo("="), MATHML.show(claim.f)))
    if claim.gradient is None:
        return f'{text} <span class="muted">({claim.kind} derived)</span>'
    return (f'{text}, {math(mrow(lhs(claim.kind, claim.wrt.name), mo("="), MATHML.show(claim.gradient)))}'
            f' <span class="muted">(expected: {escape(claim.expect)})</span>')


def catalog_proof_html(entry, results: list[dict]) -> str:
    """One catalog proof, each claim derived and checked (or the one-line error of its job)."""
    head = (f'<h2>{escape(entry.title)}</h2><p class="muted">{escape(entry.source)}'
            f' · <code>matcalc prove {escape(entry.name)}</code></p>')
    items = [res["html"] if "html" in res else f'<p class="error">{escape(res["error"])}</p>' for res in results]
    return document(f"matcalc: {entry.name}", f'<div class="card">{head}{"".join(items)}</div>')
