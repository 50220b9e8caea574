"""``symkkt check``: the shipped examples, the automatic searches, the status of every kind.

Every test goes through ``symkkt.cli.main(["check", ...])``; the statuses asserted here are the
kernel's verdicts on the certificates the search produced (re-checked below from the files
written with ``--certificates``).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import sympy

from symkkt.check import check as check_cmd
from symkkt.claimfile import parse_claim_text
from symkkt.cli import app, main
from symkkt.kernel import check_certificate
from symkkt.kernel.grammar import parse_number

check_mod = importlib.import_module("symkkt.check")   # (symkkt.check is also a function)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _ensure_registered() -> None:
    if not any(c.name == "check" or c.callback is check_cmd for c in app.registered_commands):
        app.command("check")(check_cmd)


_ensure_registered()


def run_check(tmp_path, capsys, *files, certs: bool = False, extra: tuple = ()):
    out_json = tmp_path / "report.json"
    args = ["check", *map(str, files), "--json", str(out_json), *extra]
    if certs:
        args += ["--certificates", str(tmp_path / "certs")]
    with pytest.raises(SystemExit) as info:
        main(args)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err + cap.out
    assert info.value.code in (0, 1), cap.err
    doc = json.loads(out_json.read_text())
    return info.value.code, doc, cap.out


def by_label(doc) -> dict:
    return {c["label"]: c for c in doc["claims"]}


def write(tmp_path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


THM32 = """\
[network]
activation = "relu"
layers = [[["w1_1", "w1_2"], ["w2_1", "w2_2"]], [["v1", "v2"]]]
[data]
x = [[1, "1/4"], [-1, "1/4"]]
y = [1, 1]
[point]
w1_1 = 0
w1_2 = 2
w2_1 = 0
w2_2 = 0
v1 = 2
v2 = 0
"""

THM44 = """\
[network]
activation = "{act}"
layers = [[["w1", "w2", 0, 0], [0, 0, "w1", "w2"]], [["v1", "v2"]]]
[data]
x = [[4, "1/sqrt(2)", -4, "1/sqrt(2)"]]
y = [1]
[point]
w1 = 0
w2 = 1
v1 = "1/sqrt(2)"
v2 = "1/sqrt(2)"
"""


def claims(*kinds: str, **extra) -> str:
    out = ""
    for k in kinds:
        out += f'\n[[claim]]\nkind = "{k}"\nlabel = "{k}"\n'
        for key, v in extra.items():
            out += f"{key} = {json.dumps(v)}\n"
    return out


def negative_leading_term(values) -> bool:
    lt = parse_number(values["leading_term"].replace("epsilon", "1"))
    return sympy.sign(lt) < 0


# ------------------------------------------------------------------ the shipped examples


def test_example_relu_not_local(tmp_path, capsys):
    code, doc, out = run_check(tmp_path, capsys, EXAMPLES / "relu-not-local.toml", certs=True)
    assert code == 0, out
    c = by_label(doc)
    assert c["kkt-point"]["status"] == "verified"
    assert c["kkt-point"]["values"]["multipliers"] == ["2", "2"]
    nl = c["escape"]
    assert nl["kind"] == "not-local" and nl["status"] == "verified"
    assert nl["strategy"] == "idle-neuron"
    assert negative_leading_term(nl["values"]) and parse_number(nl["values"]["eps0"]) > 0
    # the certificates written re-check with the kernel alone
    files = sorted((tmp_path / "certs").glob("*.json"))
    assert len(files) == 2
    for f in files:
        assert check_certificate(json.loads(f.read_text()), str(f)).ok


def test_example_linear_global(tmp_path, capsys):
    code, doc, out = run_check(tmp_path, capsys, EXAMPLES / "linear-global.toml")
    assert code == 0, out
    assert {c["label"]: c["status"] for c in doc["claims"]} == {
        "claim1": "verified", "claim2": "verified", "layer-1": "verified",
        "layer-2": "verified"}
    g = by_label(doc)["claim2"]
    assert g["values"]["lower_bound"] == g["values"]["norm2"] == "2*sqrt(2)"
    assert by_label(doc)["layer-1"]["layer"] == 1 and by_label(doc)["layer-1"]["problem"] == 4
    assert doc["summary"] == {**doc["summary"], "verified": 4, "total": 4}


def test_example_wide_relu_global(tmp_path, capsys):
    """12 neurons, 12 samples in R^4: the convex reformulation's arrangement bound (issue 17),
    re-checked by the kernel from the certificate file alone."""
    code, doc, out = run_check(tmp_path, capsys, EXAMPLES / "relu-global-wide.toml",
                               certs=True)
    assert code == 0, out
    g = by_label(doc)["claim2"]
    assert g["status"] == "verified"
    assert g["values"]["bound_type"] == "arrangement"
    assert g["values"]["lower_bound"] == g["values"]["norm2"]
    assert g["values"]["regions"] == [452]
    for f in sorted((tmp_path / "certs").glob("*.json")):
        assert check_certificate(json.loads(f.read_text()), str(f)).ok


def test_example_refuted_local(tmp_path, capsys):
    code, doc, out = run_check(tmp_path, capsys, EXAMPLES / "refuted-local.toml", certs=True)
    assert code == 1, out
    c = by_label(doc)
    assert c["claim1"]["status"] == "verified"
    r = c["claimed-local"]
    assert r["status"] == "refuted" and r["certificate_kind"] == "not-local"
    assert r["strategy"] == "symmetry-breaking"
    assert r["reasons"][0].startswith("not a local optimum: for every epsilon in (0, ")
    cert = json.loads((tmp_path / "certs" / "refuted-local_claimed-local_local.json").read_text())
    assert check_certificate(cert).ok and cert["kind"] == "not-local"


def test_json_has_the_verify_shape(tmp_path, capsys):
    _, doc, _ = run_check(tmp_path, capsys, EXAMPLES / "relu-not-local.toml")
    assert set(doc) >= {"symkkt", "claims", "summary"}
    for c in doc["claims"]:
        assert {"kind", "status", "values", "reasons", "id", "seconds"} <= set(c)
        assert c["id"] == f"relu-not-local/{c['label']}/{c['kind']}"


# ------------------------------------------------------------------ automatic not-local


def test_theorem_3_2_not_local_needs_no_curve(tmp_path, capsys):
    f = write(tmp_path, "t32.toml", THM32 + claims("not-local"))
    code, doc, out = run_check(tmp_path, capsys, f)
    assert code == 0, out
    c = doc["claims"][0]
    assert c["status"] == "verified" and c["strategy"] == "idle-neuron"
    assert negative_leading_term(c["values"])


@pytest.mark.parametrize("act", ["relu", "linear"])
def test_theorem_4_4_not_local_needs_no_curve(tmp_path, capsys, act):
    f = write(tmp_path, f"t44{act}.toml", THM44.format(act=act) + claims("not-local"))
    code, doc, out = run_check(tmp_path, capsys, f, certs=True)
    assert code == 0, out
    c = doc["claims"][0]
    assert c["status"] == "verified" and c["strategy"] == "symmetry-breaking"
    assert negative_leading_term(c["values"])
    cert = json.loads(next((tmp_path / "certs").glob("*.json")).read_text())
    # the curve moves the shared filter off its symmetric position at order sqrt(epsilon)
    assert "sqrt(epsilon)" in cert["curve"]["point"]["w1"]
    assert check_certificate(cert).ok


def test_hand_made_curve_is_checked(tmp_path, capsys):
    text = THM32 + """
[[claim]]
kind = "not-local"
label = "paper"
[claim.curve]
point = {w1_1 = "epsilon/4", w1_2 = "2 - epsilon", w2_1 = "-sqrt(epsilon)", v2 = "sqrt(epsilon)"}

[[claim]]
kind = "not-local"
label = "wrong"
curve = {point = {v1 = "2 - epsilon"}, substitution_power = 1, eps0 = "1/8"}
"""
    code, doc, _ = run_check(tmp_path, capsys, write(tmp_path, "hand.toml", text))
    c = by_label(doc)
    assert c["paper"]["status"] == "verified" and c["paper"]["strategy"] == "given-curve"
    assert c["paper"]["values"]["leading_term"] == "-2*epsilon"
    assert c["wrong"]["status"] in ("refuted", "unknown")  # a constraint fails
    assert code == 1


# ------------------------------------------------------------------ the other kinds


def test_statuses_at_a_kkt_point(tmp_path, capsys):
    f = write(tmp_path, "t32all.toml",
              THM32 + claims("kkt", "not-kkt", "local", "global", "not-global"))
    code, doc, _ = run_check(tmp_path, capsys, f)
    s = {c["label"]: c["status"] for c in doc["claims"]}
    assert s == {"kkt": "verified", "not-kkt": "refuted", "local": "refuted",
                 "global": "refuted", "not-global": "verified"}
    assert code == 1
    ng = by_label(doc)["not-global"]
    assert ng["certificate_kind"] == "better-point"
    better = parse_number(ng["values"]["better_norm2"])
    assert better < 8


def test_given_multipliers(tmp_path, capsys):
    f = write(tmp_path, "m.toml", THM32
              + '\n[[claim]]\nkind = "kkt"\nlabel = "good"\nmultipliers = [2, "4/2"]\n'
              + '\n[[claim]]\nkind = "kkt"\nlabel = "negative"\nmultipliers = [6, -2]\n')
    code, doc, _ = run_check(tmp_path, capsys, f)
    c = by_label(doc)
    assert c["good"]["status"] == "verified"
    # Wrong multipliers are a reason, not a refutation: the point is KKT (with (2, 2)).
    assert c["negative"]["status"] == "verified"
    assert "given multipliers are not KKT" in c["negative"]["reasons"][0]
    assert code == 0


LINEAR = """\
[network]
activation = "linear"
layers = [[["a1", "a2"], ["b1", "b2"]], [["v1", "v2"]]]
[data]
x = [[1, 0], [0, 1]]
y = [1, 1]
[point]
a1 = "{a1}"
a2 = "{a2}"
b1 = 0
b2 = 0
v1 = "{v1}"
v2 = 0
"""


def test_feasible_point_that_is_not_kkt(tmp_path, capsys):
    # both constraints active, but theta is not a non-negative combination of the gradients
    f = write(tmp_path, "nk.toml", LINEAR.format(a1=1, a2=1, v1=1)
              + claims("not-kkt", "kkt", "not-local"))
    code, doc, _ = run_check(tmp_path, capsys, f, certs=True)
    c = by_label(doc)
    assert c["not-kkt"]["status"] == "verified"
    assert c["not-kkt"]["certificate_kind"] == "not-kkt"
    assert c["kkt"]["status"] == "refuted"
    assert c["not-local"]["status"] == "verified"
    assert c["not-local"]["strategy"] == "first-order"
    cert = json.loads((tmp_path / "certs" / "nk_not-kkt_not-kkt.json").read_text())
    assert "farkas" in cert and check_certificate(cert).ok
    assert code == 1


def test_infeasible_point(tmp_path, capsys):
    f = write(tmp_path, "inf.toml", LINEAR.format(a1="1/2", a2="1/2", v1=1)
              + claims("kkt", "not-kkt", "not-local", "global"))
    code, doc, _ = run_check(tmp_path, capsys, f)
    s = {c["label"]: c["status"] for c in doc["claims"]}
    assert s == {"kkt": "refuted", "not-kkt": "verified", "not-local": "verified",
                 "global": "refuted"}
    assert "infeasible" in by_label(doc)["not-kkt"]["reasons"][0]


def test_unknown_when_no_method_applies(tmp_path, capsys):
    # a depth-3 ReLU chain at its global optimum: no certified-optimum method covers deep
    # ReLU networks and no better point exists, so the honest answer is "unknown"
    text = """\
[network]
activation = "relu"
layers = [[["a"]], [["b"]], [["c"]]]
[data]
x = [[1]]
y = [1]
[point]
a = 1
b = 1
c = 1
""" + claims("global")
    code, doc, _ = run_check(tmp_path, capsys, write(tmp_path, "deep.toml", text))
    c = doc["claims"][0]
    assert c["status"] == "unknown" and code == 1
    assert c["reasons"][0].startswith("no global-optimality certificate")


def test_time_limit_gives_unknown(tmp_path, capsys):
    from symkkt.kernel import forget

    # the kernel remembers decisions within a process: an earlier test's answers would let
    # the claim finish inside the budget, so start from empty memos and a 1 ms budget
    forget()
    f = write(tmp_path, "slow.toml", THM32 + claims("not-local"))
    code, doc, _ = run_check(tmp_path, capsys, f, extra=("--timeout", "0.001"))
    c = doc["claims"][0]
    assert code == 1 and c["status"] == "unknown" and "time limit" in c["reasons"][0]


@pytest.mark.parametrize("bad", ["0", "-1", "inf", "nan"])
def test_timeout_must_be_positive_and_finite(tmp_path, capsys, bad):
    f = write(tmp_path, "t.toml", THM32 + claims("kkt"))
    with pytest.raises(SystemExit) as info:
        main(["check", str(f), "--timeout", bad])
    assert info.value.code == 2
    assert "--timeout" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.json"))


def test_failed_searches_are_memoized_within_a_file(tmp_path, capsys, monkeypatch):
    """A search that ran out of the claim's budget is not started again by the next claim of
    the same file (a claim file cannot run for hours by repeating one slow search)."""
    from symkkt import autosearch

    calls = []

    def slow_kkt(inst, *a, **k):
        calls.append(1)
        import time
        time.sleep(5)

    monkeypatch.setattr(autosearch, "kkt_certificate", slow_kkt)
    text = THM32 + claims("kkt") + '\n[[claim]]\nkind = "kkt"\nlabel = "again"\n'
    f = write(tmp_path, "memo.toml", text)
    code, doc, _ = run_check(tmp_path, capsys, f, extra=("--timeout", "0.3"))
    first, second = doc["claims"]
    assert code == 1 and len(calls) == 1
    assert first["status"] == second["status"] == "unknown"
    assert "time limit" in first["reasons"][0]
    assert "earlier claim" in second["reasons"][0]


def test_per_layer_claims(tmp_path, capsys):
    f = write(tmp_path, "pl.toml", THM44.format(act="relu")
              + '\n[[claim]]\nkind = "local"\nlabel = "l1"\nproblem = 4\nlayer = 1\n'
              + '\n[[claim]]\nkind = "not-local"\nlabel = "l2"\nproblem = 4\nlayer = 2\n')
    code, doc, _ = run_check(tmp_path, capsys, f)
    c = by_label(doc)
    assert c["l1"]["status"] == "verified" and c["l1"]["layer"] == 1
    assert c["l2"]["status"] == "refuted"
    assert code == 1


def test_claim_file_parse_gives_exact_values():
    cf = parse_claim_text(THM44.format(act="relu") + claims("kkt"), "t.toml")
    assert cf.point["v1"] == 1 / sympy.sqrt(2)
    assert cf.X[0][1] == sympy.sqrt(2) / 2
    assert re.fullmatch(r"\d+", str(cf.claims[0].line))


def test_global_claim_is_refuted_by_the_not_local_curve_first():
    """Issue 17: the cheap refutation first. Theorem 3.2's point in a 6-neuron network (five
    idle neurons): `global` is refuted by a point on the proven not-local curve, before any
    optimum search over activation patterns."""
    from symkkt.check import run_claim_file

    text = _wide_32(6) + '[[claim]]\nkind = "global"\n'
    (rep,) = run_claim_file(parse_claim_text(text, "wide.toml"), seconds=60, timeout=120)
    assert rep.status == "refuted"
    assert rep.certificate["kind"] == "better-point"
    assert check_certificate(rep.certificate).ok


def _wide_32(n: int = 3) -> str:
    """A claim file's head: Theorem 3.2's point in an n-neuron network (n - 1 idle neurons)."""
    rows = ", ".join(f'["w{j}_1", "w{j}_2"]' for j in range(1, n + 1))
    outs = ", ".join(f'"v{j}"' for j in range(1, n + 1))
    point = "\n".join(f"w{j}_1 = 0\nw{j}_2 = {2 if j == 1 else 0}\nv{j} = {2 if j == 1 else 0}"
                      for j in range(1, n + 1))
    return (f'[network]\nactivation = "relu"\nlayers = [[{rows}], [[{outs}]]]\n'
            f'[data]\nx = [[1, "1/4"], [-1, "1/4"]]\ny = [1, 1]\n[point]\n{point}\n')


@pytest.fixture
def curve_searches(monkeypatch):
    """The budgets of every not-local curve search made while the test runs, in order."""
    from symkkt import autosearch as A

    calls = []
    real = A.search_not_local

    def counted(inst, seconds=120.0, **kw):
        calls.append(seconds)
        return real(inst, seconds=seconds, **kw)

    monkeypatch.setattr(A, "search_not_local", counted)
    return calls


def test_global_claim_whose_quick_curve_look_is_cut_short_gets_the_full_search_last(
        monkeypatch, curve_searches):
    """The quick look for a not-local curve is bounded (QUICK_CURVE_SECONDS); cut short, it is
    no answer: the optimum and better-point searches run (switched off here), and when they
    decide nothing the full curve search still refutes the claim."""
    from symkkt import autosearch as A
    from symkkt.check import run_claim_file

    monkeypatch.setattr(check_mod, "QUICK_CURVE_SECONDS", 1e-4)
    monkeypatch.setattr(check_mod, "_optimum", lambda inst, which: A.Found(None, None, "off"))
    cf = parse_claim_text(_wide_32() + '[[claim]]\nkind = "global"\n', "w.toml")
    (rep,) = run_claim_file(cf, seconds=60, timeout=120)
    assert rep.status == "refuted"
    assert rep.certificate["kind"] == "better-point" and check_certificate(rep.certificate).ok
    assert rep.evidence["strategy"] == "curve"
    assert curve_searches == [1e-4, 60]         # the quick look, then the full search


def test_global_claim_does_not_search_the_curve_twice(curve_searches):
    """A quick look that finishes (with or without a curve) is shared: the curve search runs
    once for a file's global, local and not-local claims."""
    from symkkt.check import run_claim_file

    text = _wide_32() + "".join(f'[[claim]]\nkind = "{k}"\n'
                                for k in ("global", "local", "not-local"))
    reps = run_claim_file(parse_claim_text(text, "w.toml"), seconds=60, timeout=120)
    assert [r.status for r in reps] == ["refuted", "refuted", "verified"]
    assert curve_searches == [check_mod.QUICK_CURVE_SECONDS]


def test_a_search_stopped_by_its_budget_says_so_and_a_finished_one_does_not():
    """``Found.exhausted`` tells "stopped on its budget" (no answer: check's quick curve look
    then leaves the full search for later) from "finished without a certificate"."""
    from sympy import Integer, Rational

    from symkkt import autosearch as A
    from symkkt.network import fully_connected
    from symkkt.problems import Instance

    def two_paths(y2: int) -> Instance:     # depth-3 ReLU with neurons on kinks
        net = fully_connected([2, 2, 2], "relu")
        pt = {p: Integer(0) for p in net.params}
        pt["W1_1_1"] = pt["W2_1_1"] = pt["W2_2_2"] = pt["W3_1_1"] = 1
        pt["W1_2_1"], pt["W1_2_2"], pt["W3_1_2"] = Rational(-3, 5), Rational(4, 5), y2
        return Instance.make(net, [(1, 0), (Rational(-3, 5), Rational(4, 5))], [1, y2], pt)

    for search in (A.search_not_local, A.search_better_point):
        cut = search(two_paths(1), seconds=0)
        assert not cut.ok and cut.exhausted and A.BUDGET_EXHAUSTED in cut.log
    done = A.search_not_local(two_paths(-1), seconds=120)   # a local optimum: no curve
    assert not done.ok and not done.exhausted, done.log
    assert A.search_not_local(two_paths(1), seconds=120).ok
