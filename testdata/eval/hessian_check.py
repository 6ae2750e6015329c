#!/usr/bin/env python3
"""Hessian check for mdiff (`diff --format numpy --hessian`).

The shared harness (../shared/eval/harness.py) has no Hessian mode, so this
script adds one on top of it. Cases are public.jsonl-format gradient cases
(testdata/eval/hessian.jsonl) with one extra optional field:

    "ref_hessian": numpy expression of `delta` -- the Hessian applied to the
                   direction delta (the differential of the gradient along it)

Usage (from the project root):

    python3 testdata/eval/hessian_check.py testdata/eval/hessian.jsonl --self-check
    python3 testdata/eval/hessian_check.py testdata/eval/hessian.jsonl --mdiff ./mdiff

--mdiff runs `mdiff diff EXPR --wrt V --let DECLS --format numpy --hessian`,
execs the module and, on random inputs that respect the declarations, checks

  1. hessian(delta, **vars) against five-point central differences of the
     module's own gradient(**vars) along delta (self-consistency);
  2. hessian(delta, **vars) against ref_hessian, when the case has one;
  3. gradient(**vars) against ref_derivative, when the case has one;
  4. hessian_matrix(**vars) @ vec(delta) (columns stacked) against
     hessian(delta, **vars), when the module has hessian_matrix (a vector
     variable, or a matrix variable whose Hessian has a Kronecker form);

relative error < 1e-6 each. The Hessian must have the variable's exact shape
(vectors (n,), scalars floats). For a sym/spd variable delta is symmetric and
only symmetric parts are compared. Output ends with `N passed, M failed`.

--self-check proves the references right without mdiff: the harness's own
self-check of expr / ref_value / ref_derivative / ref_ascii, plus ref_hessian
against central differences of ref_derivative along every basis direction.

Needs Python 3 with numpy and the shared harness (found via --harness,
$MDIFF_HARNESS, or ../shared/eval/harness.py next to the project).
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REL_TOL = 1e-6
TIMEOUT_S = 20


def load_harness(explicit):
    cands = []
    if explicit:
        cands.append(explicit)
    if os.environ.get('MDIFF_HARNESS'):
        cands.append(os.environ['MDIFF_HARNESS'])
    cands += [os.path.join(HERE, '..', '..', '..', 'shared', 'eval', 'harness.py'),
              os.path.join(os.getcwd(), '..', 'shared', 'eval', 'harness.py'),
              '/work/shared/eval/harness.py']
    for c in cands:
        c = os.path.abspath(c)
        if os.path.isfile(c):
            spec = importlib.util.spec_from_file_location('mdiff_eval_harness', c)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    sys.exit('hessian_check: cannot find the shared harness.py (use --harness PATH or $MDIFF_HARNESS)')


H = None  # the harness module
np = None


def as_shape_of(got, X0, strict=True):
    """got as an array of X0's numpy shape, or raise ValueError('shape ...')."""
    if np.ndim(X0) == 0:
        if np.size(got) != 1:
            raise ValueError('shape %s, expected a scalar' % (np.shape(got),))
        return float(np.asarray(got, dtype=float).ravel()[0])
    g = np.asarray(got, dtype=float)
    if g.shape != np.shape(X0):
        raise ValueError('shape %s, expected %s' % (g.shape, np.shape(X0)))
    return g


def compare(a, b, wd):
    if wd.struct:
        return H.rel_err(H.sym(a), H.sym(b))
    return H.rel_err(a, b)


def with_var(kw, name, value):
    out = {k: H._copy(v) for k, v in kw.items()}
    out[name] = H._copy(value)
    return out


# --------------------------------------------------------------------------
# self-check of the references
# --------------------------------------------------------------------------

def self_check_case(case, draws, seed):
    st, det = H.self_check_case(case, draws, seed)
    if st != 'ok':
        return st, det
    if 'ref_hessian' not in case:
        return 'ok', det + '; no ref_hessian'
    decls, _ = H.validate(case)
    wrt = case['wrt']
    wd = decls[wrt]
    sizes = case['sizes']
    rng = np.random.default_rng(seed + 7919)
    h = float(case.get('fd_step', H.FD_H))
    worst = 0.0
    for _ in range(draws):
        vals = H.draw_case(case, decls, rng)
        X0 = vals[wrt]

        def grad_at(Y):
            v2 = dict(vals)
            v2[wrt] = Y
            return H.ref_eval(case['ref_derivative'], v2, decls)

        fds, ans = [], []
        for E in H.basis_directions(wd, sizes) + [H.draw_direction(wd, sizes, rng)]:
            an = H.ref_eval(case['ref_hessian'], vals, decls, delta=E)
            if np.shape(an) != np.shape(X0):
                return 'FAIL', 'ref_hessian(delta) shape %s != %s' % (np.shape(an), np.shape(X0))
            fd = H.fd_directional(grad_at, X0, E, h)
            if wd.struct:
                an, fd = H.sym(an), H.sym(fd)
            ans.append(np.ravel(an))
            fds.append(np.ravel(fd))
        worst = max(worst, H.rel_err(np.concatenate(ans), np.concatenate(fds)))
    det += '; hessian fd %.1e' % worst
    return ('ok' if worst < REL_TOL else 'FAIL'), det


def run_self_check(cases, draws, seed):
    rows, npass, ids = [], 0, set()
    for k, c in enumerate(cases):
        cid = c.get('id', '?')
        try:
            if cid in ids:
                st, det = 'FAIL', 'duplicate id'
            else:
                st, det = self_check_case(c, draws, seed + k)
        except Exception as e:  # noqa: BLE001
            st, det = 'FAIL', 'exception: %s: %s' % (type(e).__name__, e)
        ids.add(cid)
        npass += st == 'ok'
        rows.append((cid, st, det))
    H.print_table(rows)
    print('%d passed, %d failed' % (npass, len(cases) - npass))
    return npass == len(cases)


# --------------------------------------------------------------------------
# mdiff
# --------------------------------------------------------------------------

def mdiff_command(tool, case):
    return [tool, 'diff', case['expr'], '--wrt', case['wrt'], '--let', case['let'],
            '--format', 'numpy', '--hessian']


def run_mdiff_case(tool, case, draws, seed):
    """-> (status, detail)"""
    decls, probs = H.validate(case)
    if probs:
        return 'invalid-case', '; '.join(probs)
    env = dict(os.environ)
    env['NO_COLOR'] = '1'
    try:
        p = subprocess.run(mdiff_command(tool, case), capture_output=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        return 'timeout', 'no answer in %d s' % TIMEOUT_S
    except OSError as e:
        return 'error-exit', 'cannot run: %s' % e
    out = p.stdout.decode('utf-8', 'replace')
    err = p.stderr.decode('utf-8', 'replace')
    m = H.PANIC_RE.search(err) or H.PANIC_RE.search(out)
    if m:
        src = err if H.PANIC_RE.search(err) else out
        return 'crash', src[m.start():].splitlines()[0][:160]
    if p.returncode != 0:
        first = err.strip().splitlines()[0] if err.strip() else '(no stderr)'
        return 'error-exit', 'exit %d: %s' % (p.returncode, first[:160])
    if not out.strip():
        return 'bad-module', 'empty stdout'

    ns = {'__name__': 'mdiff_generated'}
    try:
        H.with_timeout(lambda: exec(compile(out, '<mdiff --format numpy --hessian>', 'exec'), ns), TIMEOUT_S)
    except H._Alarm:
        return 'timeout', 'module exec > %d s' % TIMEOUT_S
    except BaseException as e:  # noqa: BLE001
        return 'bad-module', 'exec: %s: %s' % (type(e).__name__, str(e).splitlines()[0][:120] if str(e) else '')
    wrt = case['wrt']
    wd = decls[wrt]
    sizes = case['sizes']
    hess = ns.get('hessian') if callable(ns.get('hessian')) else ns.get('hessian_' + wrt)
    grad = ns.get('gradient') if callable(ns.get('gradient')) else ns.get('gradient_' + wrt)
    if not callable(hess):
        have = sorted(k for k, v in ns.items() if callable(v) and not k.startswith('_') and k != 'np')
        return 'bad-module', 'no hessian() (defines: %s)' % ', '.join(have)[:100]
    if not callable(grad):
        return 'bad-module', 'no gradient()'
    rng = np.random.default_rng(seed)
    h = float(case.get('fd_step', H.FD_H))
    hmat = ns.get('hessian_matrix') if callable(ns.get('hessian_matrix')) else ns.get('hessian_matrix_' + wrt)
    worst = {'fd': 0.0, 'ref': 0.0, 'grad': 0.0}
    if callable(hmat):
        worst['matrix'] = 0.0
    for _ in range(draws):
        vals = H.draw_case(case, decls, rng)
        kw = {k: H._copy(v) for k, v in vals.items()}
        kw.update(H.func_kwargs(decls))
        X0 = vals[wrt]
        D = H.draw_direction(wd, sizes, rng)
        try:
            Hd = H.with_timeout(lambda: hess(H._copy(D), **with_var(kw, wrt, X0)), TIMEOUT_S)
            Hd = as_shape_of(Hd, X0)

            def g_at(Y):
                return np.asarray(as_shape_of(grad(**with_var(kw, wrt, Y)), X0), dtype=float)

            fd = H.with_timeout(lambda: H.fd_directional(g_at, X0, D, h), TIMEOUT_S)
            worst['fd'] = max(worst['fd'], compare(Hd, fd, wd))
            if 'ref_hessian' in case:
                ref = H.ref_eval(case['ref_hessian'], vals, decls, delta=D)
                worst['ref'] = max(worst['ref'], compare(Hd, ref, wd))
            if callable(hmat):
                # The Hessian matrix acts on vec(delta), columns stacked
                # (a vector's entries; a scalar itself), as the map does.
                M = np.atleast_2d(np.asarray(H.with_timeout(lambda: hmat(**with_var(kw, wrt, X0)), TIMEOUT_S), dtype=float))
                vd = np.asarray(D, dtype=float).reshape(-1, order='F')
                if M.shape != (vd.size, vd.size):
                    raise ValueError('shape of hessian_matrix %s, expected %s' % (M.shape, (vd.size, vd.size)))
                got = (M @ vd).reshape(np.shape(X0), order='F') if np.ndim(X0) else float((M @ vd)[0])
                worst['matrix'] = max(worst['matrix'], compare(got, Hd, wd))
            if 'ref_derivative' in case:
                G = H.ref_eval(case['ref_derivative'], vals, decls)
                worst['grad'] = max(worst['grad'], compare(g_at(X0), G, wd))
        except H._Alarm:
            return 'timeout', 'hessian()/gradient() > %d s' % TIMEOUT_S
        except ValueError as ex:
            if str(ex).startswith('shape'):
                return 'wrong', 'hessian ' + str(ex)
            return 'bad-module', 'raised ValueError: %s' % str(ex)[:100]
        except BaseException as ex:  # noqa: BLE001
            return 'bad-module', 'raised %s: %s' % (type(ex).__name__, str(ex).splitlines()[0][:100] if str(ex) else '')
    for k in worst:
        if not np.isfinite(worst[k]):
            worst[k] = float('inf')
    detail = 'hessian-vs-fd(gradient) %.1e' % worst['fd']
    if 'ref_hessian' in case:
        detail += ' hessian-vs-ref %.1e' % worst['ref']
    if 'ref_derivative' in case:
        detail += ' gradient-vs-ref %.1e' % worst['grad']
    if 'matrix' in worst:
        detail += ' hessian_matrix-vs-hessian %.1e' % worst['matrix']
    ok = all(v < REL_TOL for v in worst.values())
    return ('pass' if ok else 'wrong'), detail


def run_mdiff(cases, tool, draws, seed, show_cmd):
    rows, npass = [], 0
    for k, c in enumerate(cases):
        st, det = run_mdiff_case(tool, c, draws, seed + k)
        npass += st == 'pass'
        if show_cmd and st != 'pass':
            det += '\n    ' + ' '.join(shquote(a) for a in mdiff_command(tool, c))
        rows.append((c.get('id', '?'), st, det))
    H.print_table(rows)
    print('%d passed, %d failed' % (npass, len(cases) - npass))
    return npass == len(cases)


def shquote(s):
    return s if re.fullmatch(r'[\w./:=-]+', s) else "'" + s.replace("'", "'\\''") + "'"


def main(argv=None):
    global H, np
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cases', nargs='*', help='JSONL case files (default: hessian.jsonl next to this script)')
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--self-check', action='store_true', help='verify the references with finite differences')
    g.add_argument('--mdiff', metavar='PATH', help='evaluate the mdiff binary at PATH')
    ap.add_argument('--draws', type=int, default=3)
    ap.add_argument('--seed', type=int, default=20240601)
    ap.add_argument('--only', metavar='REGEX')
    ap.add_argument('--harness', metavar='PATH', help='path to shared/eval/harness.py')
    ap.add_argument('--show-cmd', action='store_true', help='print the mdiff command of each failing case')
    a = ap.parse_args(argv)
    H = load_harness(a.harness)
    np = H.np
    cases = H.load_cases(a.cases or [os.path.join(HERE, 'hessian.jsonl')])
    if a.only:
        cases = [c for c in cases if re.search(a.only, str(c.get('id', '')))]
    if a.self_check:
        ok = run_self_check(cases, a.draws, a.seed)
    else:
        tool = a.mdiff
        if os.path.exists(tool):
            tool = os.path.abspath(tool)
        ok = run_mdiff(cases, tool, a.draws, a.seed, a.show_cmd)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
