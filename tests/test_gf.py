"""High-precision gradient flow: limits, agreement, precision, hypotheses, bad input.

The targets are always the theorem modules' exact KKT points (``run["instance"].point``),
never typed in. No timing is asserted (see ``benchmarks/gf.py``).
"""

import json
import math

import mpmath
import pytest
import sympy

import theorems.thm_3_2 as t32
import theorems.thm_4_1 as t41
import theorems.thm_4_4 as t44
import theorems.thm_5_1 as t51
from symkkt.claims import Claim, ClaimReport
from symkkt.errors import InputError
from symkkt.gf import run_gf
from symkkt.gf.flow import _Flow, _to_mpf
from symkkt.gf.suite import SUITE_TARGET_NORM, attach_gf

MODULES = {"3.2": t32, "4.1": t41, "4.4": t44, "5.1": t51}
RUNS = [(tid, run["label"]) for tid, mod in MODULES.items() for run in mod.gf_runs()]
LOSSES = ("exp", "logistic")


def get_run(tid, label):
    return next(r for r in MODULES[tid].gf_runs() if r["label"] == label)


_cache: dict = {}


def flow(tid, label, loss, dps=30, target_norm=SUITE_TARGET_NORM, **kw):
    """One cached run towards the module's exact KKT point (with the run's own ``dps`` and
    ``target_norm`` where it asks for more digits or a smaller norm, as ``verify`` does)."""
    run = get_run(tid, label)
    dps = max(dps, run.get("dps", dps))
    target_norm = min(target_norm, run.get("target_norm", target_norm))
    key = (tid, label, loss, dps, target_norm, tuple(sorted(kw.items())))
    if key not in _cache:
        inst = run["instance"]
        _cache[key] = run_gf(inst.network, inst.X, inst.Y, run["init"], inst.point,
                             loss=loss, dps=dps, target_norm=target_norm, **kw)
    return _cache[key]


def test_runs_cover_the_theorems():
    assert ("3.2", "relu") in RUNS and ("5.1", "relu, m=3") in RUNS
    assert {t for t, _ in RUNS} == {"3.2", "4.1", "4.4", "5.1"}
    assert ("5.1", "linear, m=4") not in RUNS   # m = 3 only by default


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("tid,label", RUNS)
def test_reaches_the_kkt_direction(tid, label, loss):
    res = flow(tid, label, loss)
    assert res.stop_reason == "target_norm"
    assert res.norm >= min(1e12, 0.99 * get_run(tid, label).get("target_norm", 1e13))
    assert res.direction_error <= 1e-12
    assert res.margin_nondecreasing is True
    # the limit's normalized margin is the KKT point's: 1/‖θ̃‖^m (its minimal margin is 1)
    inst = get_run(tid, label)["instance"]
    expected = float(1 / inst.norm2 ** sympy.Rational(inst.network.depth, 2))
    assert res.normalized_margin == pytest.approx(expected, rel=1e-11)
    # far beyond float64's e^-745 (the 4.4 off-ray run stops at |theta| = 1e9: e^-5e17)
    assert res.log_loss < -1e17 and res.log_time > 1e17
    doc = res.to_json()
    for key in ("direction_error", "norm", "log_loss", "margin_nondecreasing", "rhs_evals",
                "seconds", "dps", "loss", "log_time", "normalized_margin", "steps"):
        assert key in doc
    assert doc["trajectory"] and "trajectory" not in res.to_json(trajectory=False)
    json.dumps(doc)


def test_theorem_3_2_is_a_genuine_limit_not_an_invariant_start():
    # the direction error of 3.2 is governed by the idle neuron: ‖(w2(0), v2(0))‖/‖θ‖
    res = flow("3.2", "relu", "exp")
    idle = math.sqrt(sum(float(t32.GF_INIT[p]) ** 2 for p in ("w2_1", "w2_2", "v2")))
    assert res.direction_error == pytest.approx(idle / res.norm, rel=1e-6)
    errs = [s.direction_error for s in res.trajectory]
    assert errs[0] > 0.5 and errs[-1] < 1e-12
    margins = [s.normalized_margin for s in res.trajectory]
    assert margins[-1] > margins[0]


@pytest.mark.parametrize("tid,label", RUNS)
def test_exp_and_logistic_agree_on_the_limit(tid, label):
    a, b = flow(tid, label, "exp"), flow(tid, label, "logistic")
    ua = [mpmath.mpf(v) for v in a.direction_text]
    ub = [mpmath.mpf(v) for v in b.direction_text]
    assert max(abs(x - y) for x, y in zip(ua, ub)) < 1e-14
    assert abs(a.direction_error - b.direction_error) <= 1e-6 * a.direction_error + 1e-27


@pytest.mark.parametrize("loss", LOSSES)
def test_doubling_the_precision_keeps_the_direction_error(loss):
    a, b = flow("3.2", "relu", loss, dps=30), flow("3.2", "relu", loss, dps=60)
    assert abs(a.direction_error - b.direction_error) < 0.01 * a.direction_error
    assert abs(a.direction_error - b.direction_error) < 1e-6 * a.direction_error


OFF_RAY = [r for r in RUNS if r[1].endswith("off-ray")]


def test_off_ray_runs_exist():
    assert {t for t, _ in OFF_RAY} == {"4.1", "4.4", "5.1"}


@pytest.mark.parametrize("tid,label", OFF_RAY)
def test_off_ray_runs_start_far_from_the_limit_and_reach_it(tid, label):
    """The off-ray initializations make the integrator work: the initial direction is far
    from θ̃'s, the final one within 1e-12 (exact convergence claims back these runs)."""
    run = get_run(tid, label)
    inst = run["instance"]
    u = [float(sympy.sympify(run["init"][p])) for p in inst.network.params]
    v = [float(inst.point[p]) for p in inst.network.params]
    nu, nv = sum(a * a for a in u) ** 0.5, sum(b * b for b in v) ** 0.5
    start_error = sum((a / nu - b / nv) ** 2 for a, b in zip(u, v)) ** 0.5
    assert start_error > 0.05
    res = flow(tid, label, "exp")
    assert res.direction_error <= 1e-12 < start_error
    assert res.rhs_evals > 20


@pytest.mark.parametrize("tid,label", [r for r in RUNS if r[0] != "3.2" and r not in OFF_RAY])
def test_invariant_runs_stay_on_the_direction_up_to_rounding(tid, label):
    # 4.1, 4.4 and 5.1 start on the limit ray and the flow keeps them there exactly: the
    # direction error is rounding, ~10^-dps, so it shrinks with the precision.
    a, b = flow(tid, label, "exp", dps=30), flow(tid, label, "exp", dps=60)
    assert a.direction_error <= 1e-27 and b.direction_error <= 1e-57


def test_sigma_prime_zero_changes_nothing():
    # 4.1 (ReLU) has exact zero pre-activations along the whole run
    a = flow("4.1", "relu", "exp", target_norm=1e6)
    b = flow("4.1", "relu", "exp", target_norm=1e6, sigma_prime_zero=1)
    assert a.direction_text == b.direction_text
    assert a.log_loss == b.log_loss


def test_log_time_matches_real_time_integration():
    from scipy.integrate import solve_ivp

    run = get_run("3.2", "relu")
    inst = run["instance"]
    names = inst.network.params
    X = [[float(v) for v in x] for x in inst.X]

    def rhs(t, th):
        w1, w2, v1, v2 = th[0:2], th[2:4], th[4], th[5]
        g = [0.0] * 6
        for x in X:
            z1, z2 = w1[0] * x[0] + w1[1] * x[1], w2[0] * x[0] + w2[1] * x[1]
            e = math.exp(-(v1 * max(z1, 0) + v2 * max(z2, 0)))
            if z1 > 0:
                g[0] += e * v1 * x[0]
                g[1] += e * v1 * x[1]
                g[4] += e * z1
            if z2 > 0:
                g[2] += e * v2 * x[0]
                g[3] += e * v2 * x[1]
                g[5] += e * z2
        return g

    th0 = [float(run["init"][p]) for p in names]
    sol = solve_ivp(rhs, (0, 1e3), th0, method="LSODA", rtol=1e-11, atol=1e-13)
    norm = math.sqrt(sum(v * v for v in sol.y[:, -1]))
    res = run_gf(inst.network, inst.X, inst.Y, run["init"], inst.point, target_norm=norm)
    assert res.log_time == pytest.approx(math.log(1e3), abs=5e-3)


def test_global_mpmath_precision_is_untouched():
    before = mpmath.mp.prec
    flow("4.4", "relu", "exp", dps=40)
    assert mpmath.mp.prec == before


@pytest.mark.parametrize("loss", LOSSES)
def test_jacobian_matches_finite_differences(loss):
    ctx = mpmath.MPContext()
    ctx.dps = 50
    inst = t32.instance()
    X = [[_to_mpf(ctx, v, "x") for v in x] for x in inst.X]
    fl = _Flow(ctx, inst.network, X, list(inst.Y), loss, ctx.zero)
    u = [ctx.mpf(v) for v in ("0.05", "0.6", "0.04", "-0.5", "0.55", "0.15")]
    for rho in ("0.3", "2", "5"):
        y = u + [ctx.mpf(rho)]
        J = fl.full_jacobian(y, fl.evaluate(y))
        h = ctx.mpf(10) ** -20
        for b in range(7):
            yp, ym = list(y), list(y)
            yp[b] += h
            ym[b] -= h
            fp, fm = fl.evaluate(yp).f, fl.evaluate(ym).f
            for a in range(7):
                fd = (fp[a] - fm[a]) / (2 * h)
                assert abs(fd - J[a][b]) <= 1e-25 * (1 + abs(fd))


# ---------------------------------------------------------------- hypotheses of 3.2


def test_init_meets_hypotheses_exactly():
    assert t32.init_meets_hypotheses(t32.GF_INIT)
    for name, value in [("w2_2", 1), ("w1_1", 2), ("v1", 0), ("w2_1", sympy.Rational(-1, 3))]:
        bad = {**t32.GF_INIT, name: value}
        assert not t32.init_meets_hypotheses(bad), name
    # w2 = (-1/4, -1): <w2, x2> = 1/4 - 1/4 is exactly 0, which is not < 0
    edge = {**t32.GF_INIT, "w2_1": sympy.Rational(-1, 4), "w2_2": -1}
    assert not t32.init_meets_hypotheses(edge)
    with pytest.raises(InputError):
        t32.init_meets_hypotheses({"w1_1": 1})


def _cli(args, capsys):
    from symkkt.cli import app, main
    from symkkt.gf.cli import gf

    if not any(c.name == "gf" for c in app.registered_commands):
        app.command("gf")(gf)
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_reports_an_init_violating_the_hypotheses(capsys, tmp_path):
    out_json = tmp_path / "bad.json"
    code, out, _ = _cli(["gf", "3.2", "--init", "w2_2=1", "--target-norm", "1e4",
                         "--json", str(out_json)], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert "violates the hypotheses of Theorem 3.2" in flat
    doc = json.loads(out_json.read_text())
    assert doc["runs"][0]["init_meets_hypotheses"] is False
    assert doc["runs"][0]["init"]["w2_2"] == "1"


def test_cli_json_and_plot(capsys, tmp_path):
    js, png = tmp_path / "g.json", tmp_path / "g.png"
    code, out, _ = _cli(["gf", "3.2", "--target-norm", "1e6", "--json", str(js),
                         "--plot", str(png)], capsys)
    assert code == 0, out
    doc = json.loads(js.read_text())
    run = doc["runs"][0]
    assert run["label"] == "relu" and run["init_meets_hypotheses"] is True
    assert run["gf"]["norm"] >= 1e6 and run["gf"]["trajectory"]
    assert run["target"] == {k: str(v) for k, v in t32.instance().point.items()}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "direction error" in out


def test_cli_plot_honours_the_extension(capsys, tmp_path):
    svg, pdf = tmp_path / "g.svg", tmp_path / "g.pdf"
    code, out, _ = _cli(["gf", "3.2", "--target-norm", "1e4", "--plot", str(svg)], capsys)
    assert code == 0, out
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    code, out, _ = _cli(["gf", "4.1", "--label", "linear", "--target-norm", "1e3",
                         "--plot", str(pdf)], capsys)
    assert code == 0, out
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_plot_labels_markers_and_zero_direction_error(tmp_path):
    """Figure-1 clarity: math labels, the limit arrow in its own colour, start/end in the
    legend, and an on-the-ray run (direction error 0 up to rounding) not drawn at 1e-30."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from symkkt.gf.cli import plot_runs

    run32 = next(r for r in t32.gf_runs() if r["label"] == "relu")
    res32 = run_gf(run32["instance"].network, run32["instance"].X, run32["instance"].Y,
                   run32["init"], run32["instance"].point, target_norm=1e4)
    run44 = t44.gf_runs()[0]
    res44 = run_gf(run44["instance"].network, run44["instance"].X, run44["instance"].Y,
                   run44["init"], run44["instance"].point, target_norm=1e3)
    figs = []
    orig = plt.close
    try:
        plt.close = lambda fig=None: figs.append(fig)   # keep the figures to inspect them
        plot_runs("3.2", [(run32, res32)], tmp_path / "a.png")
        plot_runs("4.4", [(run44, res44)], tmp_path / "b.png")
    finally:
        plt.close = orig
    fig32, fig44 = figs
    plane, growth, err, margin = fig32.axes
    assert "$" in err.get_xlabel() and "$" in margin.get_ylabel() and "\\min" in margin.get_ylabel()
    labels = [t.get_text() for t in plane.get_legend().get_texts()]
    assert any("start" in t for t in labels) and any("end" in t for t in labels)
    assert any("limit" in t for t in labels)
    traj_colours = {matplotlib.colors.to_hex(ln.get_color()) for ln in plane.lines
                    if len(ln.get_xdata()) > 2}
    arrows = [c for c in plane.get_children()
              if isinstance(c, matplotlib.text.Annotation) and c.arrow_patch is not None]
    assert arrows
    for a in arrows:
        assert matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) not in traj_colours
    err44 = fig44.axes[0]
    for ln in err44.lines:   # nothing drawn at the working-precision floor
        assert all(y > 1e-25 for y in ln.get_ydata())
    assert any("not drawn" in t.get_text() for t in err44.texts)
    assert fig32.get_layout_engine() is not None   # constrained: titles are not clipped
    for f in figs:
        plt.close(f)


@pytest.mark.parametrize("args,msg", [
    (["gf", "3.2", "--plot", "x.jpg"], "--plot"),
    (["gf", "3.2", "--plot", "x"], "--plot"),
    (["gf", "3.2", "--loss", "hinge"], "--loss"),
    (["gf", "3.2", "--dps", "14"], "--dps"),
    (["gf", "9.9"], "unknown theorem"),
    (["gf", "4.1", "--label", "tanh"], "--label"),
    (["gf", "3.2", "--init", "w9=1"], "unknown parameter"),
    (["gf", "3.2", "--init", "w1_1=__import__('os')"], "not a number"),
])
def test_cli_bad_input_is_one_line_exit_2(args, msg, capsys):
    code, out, err = _cli(args, capsys)
    assert code == 2
    assert msg in err and len(err.strip().splitlines()) == 1


def test_run_gf_rejects_bad_arguments():
    inst = t32.instance()
    args = (inst.network, inst.X, inst.Y)
    with pytest.raises(InputError, match="loss"):
        run_gf(*args, t32.GF_INIT, loss="hinge")
    with pytest.raises(InputError, match="dps"):
        run_gf(*args, t32.GF_INIT, dps=14)
    with pytest.raises(InputError, match="missing parameter"):
        run_gf(*args, {k: v for k, v in t32.GF_INIT.items() if k != "v2"})
    with pytest.raises(InputError, match="unknown parameter"):
        run_gf(*args, {**t32.GF_INIT, "v3": 1})
    for bad in (0, -1.0):
        with pytest.raises(InputError, match="target_norm"):
            run_gf(*args, t32.GF_INIT, target_norm=bad)
    with pytest.raises(InputError, match="θ = 0"):
        run_gf(*args, {k: 0 for k in t32.GF_INIT})


# ---------------------------------------------------------------- the suite


def test_attach_gf_adds_evidence_and_keeps_statuses():
    def claim(tid, kind, label, inst):
        return Claim(tid, kind, label, inst, lambda: (None, "not run"))

    reports = [
        ClaimReport(claim("3.2", "kkt", "relu", t32.instance()), "verified", (), {}, 0.0),
        ClaimReport(claim("3.2", "not-local", "relu", t32.instance()), "unknown", ("x",),
                    {}, 0.0),
        ClaimReport(claim("5.1", "kkt", "relu, m=3", t51.instance("relu", 3)), "refuted",
                    (), {}, 0.0),
        ClaimReport(claim("5.1", "kkt", "relu, m=4", t51.instance("relu", 4)), "verified",
                    (), {}, 0.0),
    ]
    new = attach_gf(reports, dps=30, target_norm=1e6)
    assert [r.status for r in new] == ["verified", "unknown", "refuted", "verified"]
    assert [r.reasons for r in new] == [r.reasons for r in reports]
    g = new[0].to_json()["gf"]
    for key in ("direction_error", "norm", "log_loss", "margin_nondecreasing", "rhs_evals",
                "seconds", "dps", "loss"):
        assert key in g
    assert g["loss"] == "exp" and g["init_meets_hypotheses"] is True
    assert "trajectory" not in g
    assert new[1].evidence["gf"] == g          # one run per (theorem, label)
    assert "gf" in new[2].evidence
    assert "gf" not in new[3].evidence and "gf" not in new[3].to_json()
