"""Executes an mdiff NumPy module and calls its functions (golden_numpy_test.go).

Reads {"module", "funcs", "calls": [{"fn", "args", "kw"}]} on standard input
and writes {"bad_imports", "results"}: one {"type", "shape", "data"} (or
{"error"}) per call, and the imports of the module that are neither numpy
nor the standard library.
"""
import ast, json, sys
import numpy as np
req = json.load(sys.stdin)
src = open(req["module"], encoding="utf-8").read()
std = getattr(sys, "stdlib_module_names", ())
bad = []
for node in ast.walk(ast.parse(src)):
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
    else:
        continue
    for n in names:
        top = n.split(".")[0]
        if top != "numpy" and top not in std:
            bad.append(n)
ns = {"__name__": "mdiff_golden"}
exec(compile(src, req["module"], "exec"), ns)
def conv(v):
    if isinstance(v, list):
        return np.array(v, dtype=float)
    return float(v)
out = []
for call in req["calls"]:
    kw = {k: conv(v) for k, v in call["kw"].items()}
    for g in req["funcs"]:
        kw[g] = lambda z: np.sin(z) + z**2 / 2
        kw[g + "_prime"] = lambda z: np.cos(z) + z
    args = [conv(a) for a in call["args"]]
    fn = ns.get(call["fn"])
    if fn is None:
        out.append({"error": "no function " + call["fn"]})
        continue
    try:
        r = fn(*args, **kw)
        a = np.asarray(r, dtype=float)
        data = [x if np.isfinite(x) else None for x in a.ravel(order="C").tolist()]
        out.append({"type": type(r).__name__, "shape": list(a.shape), "data": data})
    except Exception as e:
        out.append({"error": repr(e)})
json.dump({"bad_imports": bad, "results": out}, sys.stdout)
