"""One front door: one request gets one report from the command line, the API and the web; every
output format offers the same documents; a bad field's error names that field; the page does not
lean on the command line."""
import ast
import inspect
import io
import json
from pathlib import Path

import pytest

import matcalc
from matcalc.cli import main
from matcalc.errors import FIELDS, MatcalcError
from matcalc.front import KEYS, Request, answer, declarations, request_from_body
from matcalc.printers import PRINTERS, Printer, printer
from matcalc.proof_catalog import entries

REQUEST = {"f": "-Y' * log(softmax(z))", "wrt": "W", "let": {"z": "W * x + b"}, "assume": ["sum(Y) = 1"],
           "symbols": {"W": "matrix(n, m)", "x": "vector(m)", "b": "vector(n)", "Y": "vector(n)"},
           "gradient": "(softmax(z) - Y) * x'"}


def test_the_command_line_the_api_and_the_web_answer_a_request_alike(capsys):
    argv = ["diff", REQUEST["f"], "--wrt", "W", "--let", "z=W*x+b", "--assume", "sum(Y) = 1", "--gradient",
            REQUEST["gradient"], "--format", "json"] + [a for k, v in REQUEST["symbols"].items() for a in ("--sym", f"{k}={v}")]
    assert main(argv) == 0
    cli = json.loads(capsys.readouterr().out)
    api = json.loads(matcalc.derive(REQUEST["f"], REQUEST["wrt"], REQUEST["symbols"], let=REQUEST["let"],
                                    assume=REQUEST["assume"]).to_json())
    verdict = matcalc.check(**{k: v for k, v in REQUEST.items() if k != "let"}, let=REQUEST["let"])
    from matcalc.web import work

    web = work.derive(REQUEST)["answer"]
    door = answer(Request(**REQUEST)).report
    assert cli["gradient"] == api["gradient"] == web["derived"] == str(door.derivation.gradient)
    assert cli["steps"] == api["steps"] == [{"rule": s["rule"], "expr": s["expr"]} for s in web["steps"]]
    assert cli["verdict"] == web["verdict"] == verdict.status == door.verdict == "holds"
    assert cli["message"] == web["message"] == verdict.message == door.message


def test_a_request_body_has_the_request_s_keys():
    assert request_from_body(REQUEST) == Request(**REQUEST)
    assert KEYS == ("f", "wrt", "symbols", "let", "functions", "assume", "gradient", "jacobian", "hessian", "kind", "seed")
    with pytest.raises(MatcalcError, match="unknown key 'g'"):
        request_from_body({"g": 1})


def _signature(fn):
    params = list(inspect.signature(fn).parameters.values())
    return [(p.name, p.kind, p.default) for p in params if p.name != "self"]


@pytest.mark.parametrize("fmt", list(PRINTERS))
def test_every_format_prints_the_same_documents_with_the_same_signatures(fmt):
    module = printer(fmt)
    for name in ("proof", "check_results", "catalog"):
        assert _signature(getattr(module, name)) == _signature(getattr(Printer, name)), (fmt, name)


@pytest.mark.parametrize("fmt", list(PRINTERS))
def test_every_format_prints_the_catalog(fmt, capsys):
    assert main(["list", "--format", fmt]) == 0
    out = capsys.readouterr().out
    items = entries()
    assert all(e.name in out for e in items) and (fmt == "json" or f"{len(items)} proofs" in out)


def test_the_rich_catalog_is_the_plain_one_styled():
    from matcalc.printers import plain, terminal

    out = io.StringIO()
    terminal.console(file=out, color_system=None, width=1000).print(terminal.catalog(entries()))
    assert out.getvalue() == plain.catalog(entries())


BASE = {"f": "tr(X)", "wrt": "X", "symbols": {"X": "matrix(n, n)"}}
BAD = {  # field -> a request with bad input in that field alone
    "f": {"f": "tr(X"},
    "wrt": {"wrt": "Q"},
    "sym": {"symbols": {"X": "tensor(n)"}},
    "fn": {"functions": {"g": "smooth"}},
    "let": {"let": {"z": "X *"}},
    "assume": {"assume": ["tr(X) = 1 +"]},
    "gradient": {"gradient": "X * X *"},
    "jacobian": {"f": "X", "jacobian": "X"},
    "hessian": {"hessian": "X"},
    "kind": {"kind": "tensor"},
    "seed": {"seed": "a"},
}


def test_every_field_has_a_bad_input_case():
    assert set(BAD) == set(FIELDS)


@pytest.mark.parametrize("field", list(BAD))
def test_a_bad_field_s_error_names_that_field(field):
    with pytest.raises(MatcalcError) as e:
        answer(Request(**{**BASE, **BAD[field]}))
    assert e.value.field == field, str(e.value)


@pytest.mark.parametrize("bad", [{"symbols": {"tr": "scalar"}}, {"symbols": {"X": "matrix(n, n)", "A": 3}},
                                 {"symbols": "X"}])
def test_every_symbol_error_names_sym(bad):
    with pytest.raises(MatcalcError) as e:
        answer(Request(**{**BASE, **bad}))
    assert e.value.field == "sym"


@pytest.mark.parametrize("assume", [["X = 1"], ["tr(X) = 1", "2 * tr(X) = 2"]])
def test_an_assumption_the_checker_cannot_honour_names_assume(assume):
    with pytest.raises(MatcalcError, match="cannot honour") as e:
        answer(Request(**{**BASE, "assume": assume}))
    assert e.value.field == "assume"


def test_a_declaration_line_s_error_names_its_field_and_keeps_its_message():
    with pytest.raises(MatcalcError) as e:
        declarations(["X matrix(n, n)"], "fn")
    assert e.value.field == "fn" and str(e.value) == "--fn takes NAME=VALUE, got 'X matrix(n, n)'"


def test_errors_of_no_one_field_name_none():
    with pytest.raises(MatcalcError) as e:
        answer(Request(**BASE, gradient="X", hessian="X"))
    assert e.value.field == "" and "at most one of" in str(e.value)


def test_the_field_survives_a_location():
    e = MatcalcError("bad", field="f").at("claims[1]")
    assert e.field == "f" and str(e) == "claims[1]: bad"


def test_the_page_does_not_import_the_command_line():
    web = Path(matcalc.__file__).parent / "web"
    for path in web.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert "cli" not in imported and "matcalc.cli" not in imported, path.name
