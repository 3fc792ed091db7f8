"""A request (f, wrt, declarations, assumptions, a claim) as the text of a proof file that
`matcalc check` reads: what the web page shows and `matcalc diff --output FILE.toml` writes."""
from __future__ import annotations

import json


def _toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_text(body: dict, name: str = "web") -> str:
    """The request as a proof file that `matcalc check` reads."""
    lines = [f"name = {_toml_string(name)}", f"title = {_toml_string('d/d' + body.get('wrt', '') + ' of ' + body.get('f', ''))}"]
    if body.get("assume"):
        lines.append(f"assume = [{', '.join(_toml_string(a) for a in body['assume'])}]")
    for key in ("symbols", "functions", "let"):
        if body.get(key):
            lines += ["", f"[{key}]"] + [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in body[key].items()]
    lines += ["", "[[claims]]"]
    lines += [f"{k} = {_toml_string(body[k])}" for k in ("f", "wrt", "gradient", "jacobian", "hessian", "kind") if k in body]
    return "\n".join(lines) + "\n"
