"""`matcalc serve` through Starlette's test client: the JSON API, the page, the catalog, errors
and escaping, the worker processes' time limit; and the MathML printer behind the page."""
import json
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from starlette.testclient import TestClient  # noqa: E402

from matcalc.cli import main  # noqa: E402
from matcalc.errors import MatcalcError  # noqa: E402
from matcalc.parser import parse  # noqa: E402
from matcalc.printers import json_out, mathml  # noqa: E402
from matcalc.printers.mathml_document import verdict_class  # noqa: E402
from matcalc.proof_catalog import entries  # noqa: E402
from matcalc.prooffile import load, make_scope  # noqa: E402
from matcalc.web import page, work  # noqa: E402
from matcalc.web.app import MAX_BODY, MAX_QUERY, create_app, serve  # noqa: E402
from matcalc.web.pool import Pool  # noqa: E402
from tests.catalog_reports import reports  # noqa: E402

SOFTMAX = {"f": "-Y' * log(softmax(Z))", "wrt": "Z", "symbols": {"Z": "vector(n)", "Y": "vector(n)"},
           "assume": ["sum(Y) = 1"]}
WRONG = {"f": "x' * A * x", "wrt": "x", "symbols": {"x": "vector(n)", "A": "matrix(n, n)"}, "gradient": "2 * A * x"}
XSS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def _seed_claims():
    """The seed's claims, but for time the slower backprop and lemmas proofs (the web answers through
    the Python API's path, which tests/test_api.py checks on every seed claim)."""
    for e in entries():
        if e.group == "seed" and e.name not in ("backprop", "lemmas"):
            data = tomllib.loads(e.path.read_text(encoding="utf-8"))
            for i, c in enumerate(data["claims"], 1):
                body = {k: c[k] for k in ("f", "wrt", "gradient", "jacobian", "hessian", "kind") if k in c}
                body.update(symbols=data.get("symbols", {}), let=data.get("let", {}),
                            functions=data.get("functions", {}), assume=data.get("assume", []))
                yield e.name, i, body


@pytest.mark.parametrize("name,index,body", list(_seed_claims()), ids=lambda v: v if isinstance(v, (str, int)) else "")
def test_seed_claims_answer_as_the_catalog(client, name, index, body):
    r = client.post("/api/derive", json=body)
    assert r.status_code == 200
    report = reports(name)[1][index - 1]
    assert r.json() == json_out.answer(report)
    assert r.json()["verdict"] == report.claim.expect


def test_softmax_ce_derives_its_textbook_form(client):
    answer = client.post("/api/derive", json=SOFTMAX).json()
    assert (answer["derived"], answer["verdict"], answer["claimed"]) == ("softmax(Z) - Y", "holds", None)
    assert answer["steps"][-1] == {"rule": "identity", "expr": "softmax(Z) - Y",
                                   "latex": "\\operatorname{softmax}\\left(Z\\right) - Y"}
    assert answer["latex"].startswith("\\begin{align*}")


def test_a_wrong_claim_is_refuted_with_a_counterexample(client):
    answer = client.post("/api/derive", json=WRONG).json()
    assert (answer["verdict"], answer["derived"], answer["claimed"]) == ("refuted", "(A + A') * x", "2 * A * x")
    cx = answer["counterexample"]
    assert cx["right_gradient"] == "(A + A') * x" and set(cx["point"]) == {"x", "A"} and cx["differing_entries"]


def test_second_order_claims_through_the_api(client):
    hessian = client.post("/api/derive", json={**WRONG, "gradient": None, "hessian": "2 * A"}).json()
    assert (hessian["kind"], hessian["derived"], hessian["verdict"]) == ("hessian", "A + A'", "refuted")
    body = {"f": "A * X * B", "wrt": "X", "symbols": {"A": "matrix(p, m)", "X": "matrix(m, n)", "B": "matrix(n, q)"}}
    jacobian = client.post("/api/derive", json=body).json()
    assert (jacobian["kind"], jacobian["derived"], jacobian["verdict"]) == ("jacobian", "kron(B', A)", "holds")


def _cli_error(capsys, argv):
    assert main(argv) == 2
    return capsys.readouterr().err.removeprefix("matcalc: error: ").rstrip("\n")


@pytest.mark.parametrize("body,argv", [
    ({"f": "tr(X", "wrt": "X", "symbols": {"X": "matrix(n, n)"}}, ["tr(X", "--wrt", "X", "--sym", "X=matrix(n, n)"]),
    ({"f": "A * B", "wrt": "A", "symbols": {"A": "matrix(m, n)", "B": "matrix(m, n)"}},
     ["A * B", "--wrt", "A", "--sym", "A=matrix(m, n)", "--sym", "B=matrix(m, n)"]),
    ({**WRONG, "gradient": "A"}, ["x' * A * x", "--wrt", "x", "--sym", "x=vector(n)", "--sym", "A=matrix(n, n)",
                                 "--gradient", "A"]),
    ({**SOFTMAX, "assume": ["sum(Y) + 1"]}, ["-Y' * log(softmax(Z))", "--wrt", "Z", "--sym", "Z=vector(n)", "--sym",
                                             "Y=vector(n)", "--assume", "sum(Y) + 1"]),
])
def test_bad_input_is_a_400_with_the_command_lines_message(client, capsys, body, argv):
    r = client.post("/api/derive", json=body)
    assert r.status_code == 400
    assert r.json() == {"error": _cli_error(capsys, ["diff", *argv])}


# LaTeX in ("latex": true): f, wrt and the claimed gradient read as `matcalc diff --latex` reads them

TRACE = {"f": r"\operatorname{tr}(A^\top X B)", "wrt": "X", "latex": True}


def test_latex_in_the_api_derives_with_inferred_shapes(client, capsys):
    answer = client.post("/api/derive", json=TRACE).json()
    assert (answer["f"], answer["derived"], answer["verdict"]) == ("tr(A' * X * B)", "A * B'", "holds")
    assert answer["assumed"] == {"A": "matrix(m, n)", "X": "matrix(m, p)", "B": "matrix(p, n)"}
    assert main(["diff", "--latex", TRACE["f"], "--wrt", "X", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert (cli["gradient"], cli["steps"]) == (answer["derived"], [{k: s[k] for k in ("rule", "expr")}
                                                                   for s in answer["steps"]])


def test_a_claimed_gradient_in_latex_is_refuted(client):
    body = {"f": r"\frac{1}{2}\|Xw - y\|^2", "wrt": "w", "gradient": r"2X^\top(Xw - y)", "latex": True}
    answer = client.post("/api/derive", json=body).json()
    assert (answer["verdict"], answer["claimed"], answer["derived"]) == ("refuted", "2 * X' * (X * w - y)",
                                                                         "X' * (X * w - y)")
    assert answer["counterexample"]["right_gradient"] == "X' * (X * w - y)"
    body.update(f=r"\frac12 \|r\|^2", gradient="X^T r", symbols={"X": "matrix(m, n)"}, let={"r": "X * w - y"})
    answer = client.post("/api/derive", json=body).json()  # declarations in the language beside LaTeX
    assert (answer["verdict"], answer["claimed"]) == ("holds", "X' * r")


@pytest.mark.parametrize("body,argv", [
    ({"f": r"x \le y", "wrt": "x"}, [r"x \le y", "--wrt", "x"]),
    ({"f": "x^T x", "wrt": "x", "gradient": r"\int x"}, ["x^T x", "--wrt", "x", "--gradient", r"\int x"]),
    ({"f": "x^T x", "wrt": r"\frac{a}{b}"}, ["x^T x", "--wrt", r"\frac{a}{b}"]),
    ({"f": "x^T A x", "wrt": "x", "symbols": {"A": "matrix(m,n)"}},
     ["x^T A x", "--wrt", "x", "--sym", "A=matrix(m,n)"]),
])
def test_a_latex_error_is_a_400_with_the_command_lines_message(client, capsys, body, argv):
    r = client.post("/api/derive", json={**body, "latex": True})
    assert r.status_code == 400
    assert r.json() == {"error": _cli_error(capsys, ["diff", "--latex", *argv])}


def test_a_latex_error_names_its_field_and_token(client):
    errors = [client.post("/api/derive", json={**TRACE, **change}).json()["error"] for change in (
        {"f": r"\operatorname{tr}(A^\top X B"}, {"gradient": r"A \bar B"}, {"f": r"\foo{X}"})]
    assert errors == ["f:1:18: unbalanced (", "gradient:1:3: cannot read \\bar here", "f:1:1: cannot read \\foo here"]
    assert work.derive({**TRACE, "f": r"x \le y"})["field"] == "f"
    assert work.derive({**TRACE, "gradient": r"\int x"})["field"] == "gradient"
    assert work.derive({**TRACE, "hessian": "2 * A"})["field"] == "hessian"  # LaTeX is f, wrt and a gradient
    assert work.derive({**TRACE, "latex": "yes"}) == {"error": "latex must be true or false, got str", "field": ""}


@pytest.mark.parametrize("content", [
    b"{", b"[1, 2]", b'"f"', b"", b"\xff\xfe", b'{"wrt": "X", "symbols": {"X": "scalar"}}', b'{"f": "x", "wrt": "y"}',
    b'{"f": 1, "wrt": "x", "symbols": {"x": "scalar"}}', b'{"f": "x", "wrt": "x", "symbols": {"x": "scalar"}, "g": 1}',
    b'{"f": "x", "wrt": "x", "symbols": {"x": "tensor"}}', b'{"f": "x", "wrt": "x", "symbols": {"x": "scalar"}, "seed": "a"}',
    b'{"f": "x", "wrt": "x", "symbols": {"x": "scalar"}, "kind": "jacobian"}',
    b'{"f": "x", "wrt": "x", "latex": 1}', b'{"f": "\\\\foo", "wrt": "x", "latex": true}',
    b'{"wrt": "x", "latex": true}',
    b"[" * 100_000, b'{"f": "' + b"(" * 5000 + b'x", "wrt": "x", "symbols": {"x": "scalar"}}',
    b'{"f": "' + b"x" * (MAX_BODY + 1) + b'"}',
])
def test_every_bad_body_is_a_400_with_one_line(client, content):
    r = client.post("/api/derive", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert list(r.json()) == ["error"] and "\n" not in r.json()["error"] and r.json()["error"]
    assert "Traceback" not in r.text


def test_a_large_body_is_refused_whatever_its_declared_length(client):
    def chunks():
        yield b'{"f": "'
        for _ in range(100):
            yield b"x" * 1024

    r = client.post("/api/derive", content=chunks())
    assert r.status_code == 400 and "64 KB" in r.json()["error"]


def test_wrong_methods_and_pages_answer_one_line(client):
    for r in (client.get("/api/derive"), client.get("/nowhere/" + XSS[0]), client.get("/catalog/" + XSS[1])):
        assert r.status_code in (404, 405) and "Traceback" not in r.text and "alert(1)" not in r.text


def test_the_api_catalog_is_matcalc_list_json(client, capsys):
    main(["list", "--format", "json"])
    assert client.get("/api/catalog").json() == json.loads(capsys.readouterr().out)


def test_a_runaway_job_is_cut_while_others_go_on():
    pool = Pool(workers=2, timeout=0.5)
    cut: list[str] = []

    def runaway():
        with pytest.raises(MatcalcError, match="time limit of 0.5 s") as e:
            pool.run(time.sleep, 30)
        cut.append(str(e.value))

    t = threading.Thread(target=runaway)
    start = time.monotonic()
    t.start()
    assert pool.run(sum, (1, 2, 3)) == 6
    t.join()
    assert cut and time.monotonic() - start < 20  # cut long before the job's own 30 s, even under load


def test_a_runaway_request_is_a_400_at_the_time_limit():
    lets = {"a1": "x .* x + x", **{f"a{i}": f"a{i - 1} .* a{i - 1} + a{i - 1}" for i in range(2, 10)}}
    with TestClient(create_app(timeout=0.2)) as c:
        start = time.monotonic()
        r = c.post("/api/derive", json={"f": "sum(a9)", "wrt": "x", "symbols": {"x": "vector(n)"}, "let": lets})
        assert r.status_code == 400 and "time limit of 0.2 s" in r.json()["error"]
        assert time.monotonic() - start < 30  # the limit, a fork and a busy machine's delays: not the job's minutes


def test_a_worker_stopped_at_the_time_limit_is_replaced():
    """The next job runs in a fresh worker (judged on a generous limit of its own: the 0.2 s one would
    fail a normal job on a loaded machine)."""
    pool = Pool(workers=1, timeout=0.2)
    with pytest.raises(MatcalcError, match="time limit of 0.2 s"):
        pool.run(time.sleep, 30)
    pool.timeout = 120
    assert pool.run(divmod, 7, 2) == (3, 1)


def test_a_crashing_job_is_one_line():
    with pytest.raises(MatcalcError, match=r"matcalc failed on this input \(ZeroDivisionError\)"):
        Pool(workers=1).run(divmod, 1, 0)


# The page

SOFTMAX_QUERY = "/?f=-Y'*log(softmax(Z))&wrt=Z&sym=Z=vector(n)&sym=Y=vector(n)&assume=sum(Y)=1"


def test_the_empty_page_is_a_form(client):
    r = client.get("/")
    assert r.status_code == 200 and '<form class="card" method="get" action="/">' in r.text
    assert 'id="result"' not in r.text
    assert "script-src 'sha256-" in r.headers["content-security-policy"]


def test_a_shareable_address_renders_the_derivation(client):
    r = client.get(SOFTMAX_QUERY.replace("+", "%2B"))
    assert r.status_code == 200
    assert r.text.count("<math") > 20 and "log-softmax" in r.text and 'class="verdict holds"' in r.text
    link = r.text.split('<a class="share" href="/?', 1)[1].split('"', 1)[0]
    params = parse_qsl(link.replace("&amp;", "&"))
    assert ("sym", "Z=vector(n)") in params and ("assume", "sum(Y)=1") in params and ("f", "-Y'*log(softmax(Z))") in params
    assert client.get("/?" + link.replace("&amp;", "&")).text == r.text


def test_the_form_takes_declarations_a_line_each(client):
    one = client.get(SOFTMAX_QUERY).text
    lines = client.get("/", params={"f": "-Y'*log(softmax(Z))", "wrt": "Z", "sym": "Z=vector(n)\r\nY=vector(n)\n",
                                    "assume": "sum(Y)=1", "let": "", "fn": "", "gradient": "", "kind": ""}).text
    result = lambda text: text.split('id="result"')[1]  # noqa: E731
    assert result(one) == result(lines)


def test_a_refuted_claim_shows_its_counterexample_table(client):
    r = client.get("/", params={"f": WRONG["f"], "wrt": "x", "sym": ["x = vector(n)", "A = matrix(n, n)"],
                                "gradient": WRONG["gradient"]})
    assert 'class="verdict refuted"' in r.text and "<h3>Counterexample</h3>" in r.text
    assert "<mtable>" in r.text and "differing entries" in r.text


def test_latex_and_the_proof_file_are_there_to_copy(client, tmp_path):
    r = client.get(SOFTMAX_QUERY + "&gradient=softmax(Z)-Y")
    assert 'data-copy="latex-src"' in r.text and "\\begin{align*}" in r.text
    toml = r.text.split('<pre id="toml-src">', 1)[1].split("</pre>", 1)[0]
    path = tmp_path / "web.toml"
    path.write_text(toml.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&"), encoding="utf-8")
    proof = load(path)
    assert [str(a) for a in proof.assume] == ["sum(Y) = 1"] and str(proof.claims[0].gradient) == "softmax(Z) - Y"


@pytest.mark.parametrize("params,field", [
    ({"f": "tr(X", "wrt": "X", "sym": "X=matrix(n,n)"}, "f"),
    ({"f": "tr(X)", "wrt": "Q", "sym": "X=matrix(n,n)"}, "wrt"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X matrix(n,n)"}, "sym"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=tensor(n)"}, "sym"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "let": "z=X*"}, "let"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "fn": "g=smooth"}, "fn"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "fn": "X=elementwise"}, "fn"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)\ntr=scalar"}, "sym"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "assume": "tr(X) = 1 +"}, "assume"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "gradient": "X * X * "}, "gradient"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "gradient": "tr(X)"}, "gradient"),
    ({"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "kind": "tensor"}, "kind"),
])
def test_an_error_is_shown_beside_its_field(client, params, field):
    r = client.get("/", params=params)
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and r.text.count('class="field-error"') == 1
    assert 'id="result"' not in r.text  # no second copy of the message


def test_an_error_of_no_one_field_is_shown_above_the_result(client):
    r = client.get("/", params={"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)", "gradient": "X", "hessian": "X"})
    assert r.status_code == 400 and 'role="alert"' in r.text and "at most one of" in r.text


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("field", page.LINES + page.SINGLE)
def test_user_text_is_escaped_in_every_field(client, field, payload):
    params = {"f": "tr(X)", "wrt": "X", "sym": "X=matrix(n,n)"}
    params[field] = payload if field not in page.LINES else f"{payload}={payload}"
    text = client.get("/", params=params).text
    assert "<img" not in text and "alert(1)</script>" not in text and "Traceback" not in text
    body = {"f": "tr(X)", "wrt": "X", "symbols": {"X": "matrix(n,n)", payload: payload}, "let": {"z": payload},
            "assume": [payload], "gradient": payload}
    r = client.post("/api/derive", json=body)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"


def test_the_address_itself_is_escaped(client):
    text = client.get("/?f=" + XSS[1] + "&wrt=" + XSS[0]).text
    assert "<img" not in text and "alert(1)</script>" not in text


def test_a_long_address_is_refused(client):
    assert client.get("/?f=" + "x" * (MAX_QUERY + 1)).status_code == 400


def test_share_query_round_trips():
    form = {"f": "a + b", "wrt": "a", "sym": "a = scalar\n\nb = scalar", "assume": "a = b&c", "kind": ""}
    again = page.form_from_query(parse_qsl(page.share_query(form)))
    assert again == {"f": "a + b", "wrt": "a", "sym": "a = scalar\nb = scalar", "assume": "a = b&c"}
    for ticked in ("1", "on"):  # a ticked box, from a link or from the form; unticked, it is not sent
        again = page.form_from_query(parse_qsl(page.share_query(page.form_from_query([("f", "a"), ("latex", ticked)]))))
        assert again == {"f": "a", "latex": "1"}
    assert page.form_from_query([("f", "a"), ("latex", "0")]) == {"f": "a"}


# The page with LaTeX

LATEX_QUERY = {"f": r"\operatorname{tr}(A^\top X B)", "wrt": "X", "latex": "on"}


def test_the_page_derives_latex_with_the_box_ticked(client, tmp_path):
    r = client.get("/", params=LATEX_QUERY)
    assert r.status_code == 200 and 'class="verdict holds"' in r.text
    assert '<input type="checkbox" id="latex" name="latex" value="1" checked>' in r.text
    assert 'value="\\operatorname{tr}(A^\\top X B)"' in r.text  # f as typed, in LaTeX
    link = r.text.split('<a class="share" href="/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert ("latex", "1") in parse_qsl(link) and client.get("/?" + link).text == r.text
    assert f'<a href="/?{link.replace("&", "&amp;")}">the trace trick, in LaTeX</a>' in r.text  # an example
    toml = r.text.split('<pre id="toml-src">', 1)[1].split("</pre>", 1)[0]  # the proof file is in the language
    path = tmp_path / "web.toml"
    path.write_text(toml.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&"), encoding="utf-8")
    claim = load(path).claims[0]
    assert (str(claim.f), claim.wrt.name) == ("tr(A' * X * B)", "X")
    unticked = client.get("/", params={k: v for k, v in LATEX_QUERY.items() if k != "latex"})
    assert unticked.status_code == 400 and 'id="f-error"' in unticked.text and " checked" not in unticked.text


def test_a_claimed_gradient_in_latex_on_the_page(client, tmp_path):
    r = client.get("/", params={**LATEX_QUERY, "gradient": r"B A^\top"})
    error = r.text.split('id="gradient-error">', 1)[1].split("</p>", 1)[0]
    assert r.status_code == 400 and error.startswith("the gradient B * A&#x27; is p×m, but it must be m×p")
    r = client.get("/", params={**LATEX_QUERY, "gradient": r"A B^{\mathsf T}"})
    assert 'class="verdict holds"' in r.text
    toml = r.text.split('<pre id="toml-src">', 1)[1].split("</pre>", 1)[0]
    assert "gradient = &quot;A * B&#x27;&quot;" in toml


@pytest.mark.parametrize("params,field,error", [
    ({"f": r"x \le y", "wrt": "x"}, "f", r"f:1:3: cannot read \le: = is the only relation read"),
    ({"f": "x^T x", "wrt": r"\frac{a}{b}"}, "wrt", r"wrt is a name such as X or W^L, not \frac{a}{b}"),
    ({"f": "x^T x", "wrt": "x", "gradient": r"\int x"}, "gradient", r"gradient:1:1: cannot read \int here"),
    ({"f": "x^T x", "wrt": "x", "hessian": "2 * I"}, "hessian", "give a claimed Hessian in the language"),
])
def test_a_latex_error_is_shown_beside_its_field(client, params, field, error):
    r = client.get("/", params={**params, "latex": "1"})
    assert r.status_code == 400 and r.text.count('class="field-error"') == 1
    assert error in r.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert 'id="result"' not in r.text


def test_the_latex_box_is_escaped(client):
    text = client.get("/", params={"f": "tr(X)", "wrt": "X", "latex": XSS[1]}).text
    assert "<img" not in text and 'value="1" checked' in text


# The catalog

def test_the_catalog_page_lists_every_proof(client):
    r = client.get("/catalog")
    assert r.status_code == 200
    for e in entries():
        assert f'href="/catalog/{e.name}"' in r.text


def test_a_catalog_proof_is_derived_and_checked(client):
    r = client.get("/catalog/softmax-ce")
    verdicts = [verdict_class(r) for r in reports("softmax-ce")[1]]  # (a planted mistake: "expected")
    assert r.status_code == 200 and [f'class="verdict {v}"' in r.text for v in verdicts] == [True] * 5
    assert r.text.count('<section class="claim">') == 5


# serve

def test_serve_warns_off_localhost_and_prints_its_address(monkeypatch, capsys):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    serve(host="0.0.0.0", port=9999)
    out, err = capsys.readouterr()
    assert "http://0.0.0.0:9999/" in out and err.count("\n") == 1 and "no authentication" in err
    assert seen == {"host": "0.0.0.0", "port": 9999, "log_level": "warning"}
    serve()
    assert capsys.readouterr().err == ""


def test_ctrl_c_stops_the_server_cleanly():
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # SIGINT as a terminal leaves it (a background job, or pytest-xdist's workers, ignore it; a child inherits that)
    proc = subprocess.Popen([sys.executable, "-m", "matcalc.cli", "serve", "--port", "0"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout.readline().startswith("matcalc serving on http://127.0.0.1:0/")
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode in (0, 130) and err == ""  # 130: stopped while it was still starting


def test_serve_without_the_web_extra_says_what_to_install(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "starlette.applications", None)
    monkeypatch.delitem(sys.modules, "matcalc.web.app")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == "matcalc: error: matcalc serve needs starlette: pip install 'matcalc[web]'\n"


# The MathML printer

def _xml(text: str):
    return ET.fromstring(f"<div>{text}</div>")


def test_mathml_of_every_catalog_expression_is_well_formed():
    for e in entries():
        for c in load(e.path).claims:
            for x in (c.f, c.gradient):
                if x is not None:
                    root = ET.fromstring(mathml.expr(x))
                    assert root.tag == "math" and not (root.text or "").strip()


@pytest.mark.parametrize("text,shape,want", [
    ("A' * X * B", {"A": "vector(m)", "X": "matrix(m, n)", "B": "vector(n)"},
     "<math><mrow><mrow><msup><mrow><mi>A</mi></mrow><mi mathvariant=\"normal\">⊤</mi></msup><mo>&#x2062;</mo>"
     "<mi>X</mi></mrow><mo>&#x2062;</mo><mi>B</mi></mrow></math>"),
    ("inv(X) .^ 2", {"X": "matrix(n, n)"},
     "<math><msup><mrow><mrow><mo stretchy=\"false\">(</mo><msup><mrow><mi>X</mi></mrow><mrow><mo>−</mo><mn>1</mn>"
     "</mrow></msup><mo stretchy=\"false\">)</mo></mrow></mrow><mrow><mo>∘</mo><mn>2</mn></mrow></msup></math>"),
    ("W1 - (1/2) * tr(X)", {"W1": "scalar", "X": "matrix(n, n)"},
     "<math><mrow><msub><mi>W</mi><mn>1</mn></msub><mo>−</mo><mrow><mfrac><mn>1</mn><mn>2</mn></mfrac>"
     "<mo>&#x2062;</mo><mspace width=\"0.1667em\"></mspace><mrow><mi>tr</mi><mo>&#x2061;</mo><mrow>"
     "<mo stretchy=\"false\">(</mo><mi>X</mi><mo stretchy=\"false\">)</mo></mrow></mrow></mrow></mrow></math>"),
])
def test_mathml_spells_each_form(text, shape, want):
    assert mathml.expr(parse(text, make_scope(shape))) == want


def test_format_mathml_on_the_command_line(capsys, tmp_path):
    argv = ["diff", "x' * A * x", "--wrt", "x", "--sym", "x=vector(n)", "--sym", "A=matrix(n,n)"]
    assert main([*argv, "--format", "mathml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<h2>") and "common factor" in out and 'class="verdict holds"' in out
    _xml(out)
    assert main([*argv, "--output", str(tmp_path / "d.html")]) == 0
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and out in html



def test_the_page_exports_the_derivation_as_code_in_tabs(client):
    r = client.get("/?f=x'*A*x&wrt=x&sym=x=vector(n)&sym=A=matrix(n,n)")
    assert r.status_code == 200
    for backend, name in (("numpy", "NumPy"), ("jax", "JAX"), ("torch", "PyTorch")):
        assert f'<label for="code-{backend}">{name}</label>' in r.text
        assert f'data-copy="{backend}-src"' in r.text
    numpy_code = r.text.split('<pre id="numpy-src">')[1].split("</pre>")[0]
    assert "import numpy" in numpy_code and "def " in numpy_code



def test_a_parse_error_marks_its_place_in_the_field(client):
    r = client.get("/?f=tr(X%20%2B&wrt=X&sym=X%3Dmatrix(n,n)")
    assert '<p class="field-error" id="f-error">f:1:7: unexpected end of expression</p>' in r.text
    assert '<pre class="where" aria-hidden="true">tr(X +<mark> </mark></pre>' in r.text
    r = client.get("/?f=tr(X%20%2B%20%23)&wrt=X&sym=X%3Dmatrix(n,n)")
    assert "<mark>#</mark>" in r.text


def test_a_planted_mistake_is_shown_as_expected_not_as_a_failure(client):
    r = client.get("/catalog/common-mistakes")
    assert r.status_code == 200 and 'class="verdict expected"' in r.text
    assert 'class="verdict refuted"' not in r.text and 'class="verdict unexpected"' not in r.text
