"""The invariant-set search (:mod:`symkkt.invariant`) and ``kind = "convergence"`` claim files.

The search is untrusted: every assertion about a verdict here is about the kernel's verdict on
the certificate the search produced (re-checked with :func:`check_certificate`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sympy import Rational

import symkkt.invariant as I
import theorems.thm_3_2 as t32
import theorems.thm_4_1 as t41
import theorems.thm_4_4 as t44
import theorems.thm_5_1 as t51
from symkkt.check import check as check_cmd
from symkkt.claimfile import parse_claim_text
from symkkt.cli import app
from symkkt.kernel import check_certificate
from symkkt.network import conv_disjoint, diagonal
from symkkt.problems import Instance

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _ensure_registered() -> None:
    if not any(c.name == "check" or c.callback is check_cmd for c in app.registered_commands):
        app.command("check")(check_cmd)


_ensure_registered()


# ------------------------------------------------------------------ the search, bundled cases


BUNDLED = [
    pytest.param(t32.instance, t32.CONVERGENCE_INIT,
                 {"fixed": ["w2_1", "w2_2", "v2"], "equal": [], "positive": []}, id="3.2"),
    *[pytest.param(lambda a=act: t41.instance(a), t41.GF_INIT, t41.INVARIANT, id=f"4.1-{act}")
      for act in ("linear", "relu")],
    *[pytest.param(lambda a=act: t44.instance(a), t44.GF_INIT, t44.INVARIANT, id=f"4.4-{act}")
      for act in ("linear", "relu")],
    *[pytest.param(lambda a=act: t51.instance(a, 3), t51.gf_init(3),
                   {"fixed": [], "equal": [[f"w{l}_{k}" for l in (1, 2, 3) for k in (1, 2)]],
                    "positive": ["w1_1"]}, id=f"5.1-m3-{act}")
      for act in ("linear", "relu")],
]


@pytest.mark.parametrize("make, init, expected", BUNDLED)
def test_search_finds_a_verified_invariant(make, init, expected):
    inst = make()
    res = I.search_invariant(inst, init)
    assert res.ok, (res.verdict.reasons, res.log)
    assert 1 <= res.kernel_calls <= I.MAX_KERNEL_CALLS
    assert res.certificate["invariant"] == expected
    # the certificate stands on its own: the kernel alone verifies it again
    v = check_certificate(json.loads(json.dumps(res.certificate)))
    assert v.status == "verified" and v.values["kkt_points_on_invariant"] == 1
    cert, reason = I.find_invariant(inst, init)
    assert cert["invariant"] == expected and reason


def test_init_with_loss_at_least_one_is_unknown_with_the_kernels_reason():
    # Theorem 2.1 does not apply from GF_INIT (L > 1), though the paper proves convergence
    # from it: unknown, never refuted.
    assert t32.init_meets_hypotheses(t32.GF_INIT)
    res = I.search_invariant(t32.instance(), t32.GF_INIT)
    assert res.verdict.status == "unknown" and res.verdict.invalid
    assert "loss at init is not < 1" in res.verdict.reasons[0]
    assert res.kernel_calls <= 2
    assert check_certificate(res.certificate).reasons == res.verdict.reasons
    res = I.search_invariant(t32.instance(), t32.GF_INIT, losses=("logistic",))
    assert res.verdict.invalid and "logistic" in res.verdict.reasons[0]


def test_refinement_steps_are_logged():
    log: list[str] = []
    inv = I.candidate_invariant(t32.instance(), t32.CONVERGENCE_INIT, log=log)
    assert inv == {"fixed": ["w2_1", "w2_2", "v2"], "equal": [], "positive": []}
    # w1_2 = v1 = 2 at init, but their gradient components differ: the tie is split
    assert any(s.startswith("split {w1_2, v1}") for s in log), log
    assert any("drop positive w1_1" in s for s in log), log


def test_drifting_coordinates_are_split_and_several_kkt_points_give_unknown():
    # x = (1, 2) from all ones: the layers stay balanced per coordinate, but the two
    # coordinates grow at different rates; the cone holds more than one KKT point.
    inst = Instance.make(diagonal(2, 2, "linear"), [(1, 2)], [1],
                         {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0})
    res = I.search_invariant(inst, {p: 1 for p in inst.network.params})
    assert res.certificate["invariant"]["equal"] == [["w1_1", "w2_1"], ["w1_2", "w2_2"]]
    assert res.verdict.status == "unknown" and "other KKT point" in res.verdict.reasons[0]


def test_dead_neuron_shared_with_a_live_one_is_not_fixed():
    # the shared filter is dead on patch 1 (-4 < 0) and alive on patch 2: it must move
    inst = Instance.make(conv_disjoint(2, 2, "relu"), t44.X, t44.Y, t44.POINT)
    init = {"w1": -1, "w2": 0, "v1": 1, "v2": 1}
    assert I._dead_names(inst.network, inst.X, {k: Rational(v) for k, v in init.items()}) == []
    inv = I.candidate_invariant(inst, init)
    assert "w1" not in inv["fixed"]


def test_dead_neuron_alone_is_fixed():
    inst = t32.instance()
    vals = {k: Rational(v) for k, v in t32.CONVERGENCE_INIT.items()}
    assert I._dead_names(inst.network, inst.X, vals) == ["w2_1", "w2_2", "v2"]


def test_kernel_guided_weakening_when_the_search_is_wrong(monkeypatch):
    # Pretend the search-side refinement is buggy and proposes a set that is not invariant
    # (w1_1 does move): the kernel refutes it, and the bounded kernel-guided weakening still
    # ends at a verified certificate.
    bad = {"fixed": ["w1_2", "w2_2", "w1_1"], "equal": [], "positive": []}
    monkeypatch.setattr(I, "candidate_invariant", lambda *a, **k: dict(bad))
    res = I.search_invariant(t41.instance("linear"), t41.GF_INIT)
    assert res.kernel_calls <= I.MAX_KERNEL_CALLS
    assert res.verdict.status != "refuted"
    assert check_certificate(res.certificate).status == res.verdict.status
    assert "w1_1" not in res.certificate["invariant"]["fixed"]


def test_search_gives_up_gracefully(monkeypatch):
    def boom(*a, **k):
        raise I._GiveUp("too many patterns")
    monkeypatch.setattr(I, "_refine", boom)
    res = I.search_invariant(t41.instance("linear"), t41.GF_INIT)
    assert res.certificate["invariant"] == {"fixed": [], "equal": [], "positive": []}
    assert res.verdict.status == "unknown"  # both (1, 0, 1, 0) and its mirror survive
    assert any("gave up" in s for s in res.log)


# ------------------------------------------------------------------ claim files through the CLI


def run_check(tmp_path, capsys, text: str, name: str = "conv.toml", certs: bool = False):
    """test_check's runner on one file written from ``text``; claims keyed by label."""
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    code, doc, out = _run_check(tmp_path, capsys, f, certs=certs)
    return code, by_label(doc), out


from test_check import THM32, by_label, run_check as _run_check  # noqa: E402

DIAG = """\
[network]
activation = "{act}"
layers = [[["w1_1", 0], [0, "w1_2"]], [["w2_1", "w2_2"]]]
[data]
x = [[1, 2]]
y = [1]
[point]
w1_1 = {p}
w1_2 = 0
w2_1 = {p}
w2_2 = 0
"""


def conv_claim(label: str, init: str, extra: str = "") -> str:
    return f'\n[[claim]]\nkind = "convergence"\nlabel = "{label}"\ninit = {{{init}}}\n{extra}'


INIT32 = 'w1_1 = "1/10", w1_2 = 2, w2_1 = "1/10", w2_2 = -1, v1 = 2, v2 = "3/10"'
INIT41 = "w1_1 = 1, w1_2 = 0, w2_1 = 1, w2_2 = 0"


def test_claim_file_verified_with_and_without_invariant(tmp_path, capsys):
    text = (THM32 + conv_claim("searched", INIT32)
            + conv_claim("given", INIT32, 'invariant = {fixed = ["w2_1", "w2_2", "v2"]}\n'
                         'losses = ["logistic"]\n'))
    code, c, out = run_check(tmp_path, capsys, text, certs=True)
    assert code == 0, out
    s, g = c["searched"], c["given"]
    assert s["status"] == "verified" and s["strategy"] == "invariant-search"
    assert s["values"]["invariant"] == {"fixed": ["w2_1", "w2_2", "v2"], "equal": [],
                                        "positive": []}
    assert s["values"]["init_margins"] == ["6/5", "4/5"] and s["search_log"]
    assert g["status"] == "verified" and g["strategy"] == "given-invariant"
    assert g["values"]["losses"] == ["logistic"]
    assert "fixed={w2_1,w2_2,v2}" in out
    files = sorted((tmp_path / "certs").glob("*.json"))
    assert len(files) == 2
    for f in files:
        assert check_certificate(json.loads(f.read_text()), str(f)).ok


@pytest.mark.parametrize("act", ["linear", "relu"])
def test_claim_file_rejections(tmp_path, capsys, act):
    text = (DIAG.format(act=act, p=1)
            + conv_claim("ok", INIT41)
            + conv_claim("off-set", "w1_1 = 1, w1_2 = 0, w2_1 = 2, w2_2 = 0",
                         'invariant = {equal = [["w1_1", "w2_1"]]}\n')
            + conv_claim("not-positive", "w1_1 = -1, w1_2 = 0, w2_1 = -1, w2_2 = 0",
                         'invariant = {positive = ["w1_1"]}\n')
            + conv_claim("not-invariant", INIT41, 'invariant = {fixed = ["w1_2"]}\n'))
    code, c, _ = run_check(tmp_path, capsys, text)
    assert code == 1
    assert c["ok"]["status"] == "verified"
    assert c["off-set"]["status"] == "unknown"
    assert "not in the invariant set" in c["off-set"]["reasons"][0]
    assert c["not-positive"]["status"] == "unknown"
    assert "not > 0" in c["not-positive"]["reasons"][0]
    # A set that is not invariant (linear), or not shown invariant (ReLU: the failing piece
    # need not occur), is a failed certificate: the claim itself stays unknown.
    assert c["not-invariant"]["status"] == "unknown"
    assert "w1_2 does not stay fixed" in c["not-invariant"]["reasons"][0]


def test_claim_file_wrong_point_is_refuted(tmp_path, capsys):
    # (2, 0, 2, 0) is feasible but not the KKT point of the invariant cone
    for given in ("", 'invariant = {fixed = ["w1_2", "w2_2"], equal = [["w1_1", "w2_1"]], '
                      'positive = ["w1_1"]}\n'):
        code, c, _ = run_check(tmp_path, capsys,
                               DIAG.format(act="linear", p=2) + conv_claim("x", INIT41, given))
        assert code == 1
        assert c["x"]["status"] == "refuted"
        assert "not a KKT point of Problem 2 in the invariant cone" in c["x"]["reasons"][0]


def test_claim_file_init_with_large_loss_is_unknown(tmp_path, capsys):
    init = 'w1_1 = "1/10", w1_2 = 1, w2_1 = "1/10", w2_2 = -1, v1 = "1/2", v2 = "3/10"'
    code, c, _ = run_check(tmp_path, capsys, THM32 + conv_claim("gf-init", init))
    assert code == 1 and c["gf-init"]["status"] == "unknown"
    assert "loss at init is not < 1" in c["gf-init"]["reasons"][0]


def test_claim_file_parse_keeps_exact_values():
    cf = parse_claim_text(THM32 + conv_claim("x", INIT32, 'losses = ["exp"]\n'
                                             'invariant = {equal = [["w1_2", "v1"]]}\n'), "t")
    spec = cf.claims[0]
    assert spec.kind == "convergence" and spec.init["w1_1"] == Rational(1, 10)
    assert spec.losses == ("exp",)
    assert spec.invariant == {"fixed": [], "equal": [["w1_2", "v1"]], "positive": []}
    cf = parse_claim_text(THM32 + conv_claim("x", INIT32), "t")
    assert cf.claims[0].invariant is None and cf.claims[0].losses == ("exp", "logistic")


def test_example_convergence(tmp_path, capsys):
    code, c, out = run_check(tmp_path, capsys, (EXAMPLES / "convergence.toml").read_text(),
                             name="convergence.toml")
    assert code == 0, out
    assert c["searched"]["status"] == c["given"]["status"] == "verified"
    assert c["searched"]["values"]["invariant"] == c["given"]["values"]["invariant"]
