"""symkkt explore (issue 15): conjecture files, shrinking, a false conjecture, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symkkt._explore.conjecture import load_conjecture, parse_conjecture_text
from symkkt.errors import InputError
from symkkt.explore import bundled_conjectures, explore_conjecture

GOOD = """[conjecture]
title = "t"
activation = "relu"
architecture = "fully-connected"
input_dim = 2
hidden = [2]
samples = 2
labels = "any"
hypotheses = ["gf-limit"]
problem = 2
conclusion = "local"
"""


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symkkt.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_bundled_conjectures_read():
    names = bundled_conjectures()
    assert {"relu-fc-gf-local", "diagonal-linear-depth3-local", "fc-linear-global",
            "diagonal-linear-depth2-nonzero-global",
            "relu-depth2-nonzero-inputs-local"} <= set(names)
    for path in names.values():
        load_conjecture(path)


@pytest.mark.parametrize("old,new,where", [
    ('activation = "relu"', 'activation = "tanh"', (3, 14)),
    ('hidden = [2]', 'hidden = [0]', (6, 11)),
    ('samples = 2', 'samples = [3, 1]', (7, 11)),
    ('hypotheses = ["gf-limit"]', 'hypotheses = ["gf-limit", "convex"]', (9, 27)),
    ('conclusion = "local"', 'conclusion = "per-layer-local"', (11, 14)),
    ('problem = 2', 'problem = 4\nlayer = 7', (11, 9)),
    ('title = "t"', 'title = "t"\ncode = "__import__(\'os\')"', (3, 1)),
    ('input_dim = 2', 'input_dim = 2\ndepth = 3', (6, 1)),
    ('labels = "any"', 'labels = ', (8, 10)),
])
def test_reader_rejects_hostile_files(old, new, where):
    text = GOOD.replace(old, new)
    with pytest.raises(InputError) as exc:
        parse_conjecture_text(text, "bad.toml")
    assert exc.value.line == where[0], str(exc.value)
    assert str(exc.value).startswith("bad.toml:")


def test_cli_hostile_file_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('architecture = "fully-connected"', 'architecture = "mlp"'))
    r = _run("explore", str(bad), "--examples", "1", "--json", str(tmp_path / "o.json"))
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "bad.toml:4:17" in lines[0], r.stderr
    assert not (tmp_path / "o.json").exists()


def test_shrinking_strategy_minimal_example():
    """hypothesis' minimal instance: the fewest samples, the smallest integers, zero inits."""
    from hypothesis import find

    from symkkt.explore import cases

    conj = parse_conjecture_text(GOOD.replace("samples = 2", "samples = [1, 3]"), "c.toml")
    smallest = find(cases(conj), lambda c: True)
    assert len(smallest.X) == 1
    assert all(abs(v) <= 1 for x in smallest.X for v in x)
    assert all(v == 0 for init in smallest.inits for v in init)
    # a property about many samples shrinks to exactly as many as it needs
    two = find(cases(conj), lambda c: len(c.X) >= 2)
    assert len(two.X) == 2


FALSE = """[conjecture]
title = "deliberately false: a depth-3 diagonal linear GF limit is a local optimum"
activation = "linear"
architecture = "diagonal"
input_dim = 2
depth = 3
samples = 1
labels = "positive"
hypotheses = ["gf-limit"]
conclusion = "local"
max_coordinate = 1
inits = 1
"""


def test_false_conjecture_counterexample_rechecks(tmp_path):
    from symkkt.explore import write_counterexample

    conj = parse_conjecture_text(FALSE, str(tmp_path / "false.toml"))
    res = explore_conjecture(conj, examples=10, seed=0, shrink_seconds=5)
    assert res.outcome == "counterexample"
    write_counterexample(res, tmp_path / "out")
    claim = Path(res.claim_file)
    assert claim.exists() and all(s == "verified" for s in res.recheck.values())
    r = _run("check", str(claim))
    assert r.returncode == 0, r.stdout + r.stderr
    certs = [c for c in res.certificates if c.endswith(".json") and "evidence" not in c]
    r = _run("check-cert", *certs)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = res.to_json()
    assert doc["outcome"] == "counterexample" and doc["claim_file"] == str(claim)
    json.dumps(doc)


def test_reproducible_with_seed():
    conj = parse_conjecture_text(GOOD.replace('"relu"', '"linear"').replace(
        '"local"', '"global"'), "lin.toml")
    a = explore_conjecture(conj, examples=2, seed=7)
    b = explore_conjecture(conj, examples=2, seed=7)
    assert [r.case for r in a.results] == [r.case for r in b.results]
    assert a.counts == b.counts
    assert a.outcome == "none-found"


KKT_GLOBAL = """[conjecture]
title = "depth-2 ReLU, non-zero inputs: every KKT point is global (false: Theorem 4.3)"
activation = "relu"
architecture = "fully-connected"
input_dim = 2
hidden = [2]
samples = 2
labels = "positive"
hypotheses = ["kkt", "nonzero-inputs"]
problem = 2
conclusion = "global"
"""


def test_kkt_hypothesis_uses_exact_enumeration(tmp_path):
    """Hypothesis `kkt` (not `gf-limit`): the KKT points are enumerated exactly (option a),
    and a local-but-not-global one (Theorem 4.3's phenomenon) is found and re-checked."""
    from symkkt.explore import write_counterexample

    conj = parse_conjecture_text(KKT_GLOBAL, str(tmp_path / "kkt-global.toml"))
    res = explore_conjecture(conj, examples=10, seed=0, shrink_seconds=5)
    assert res.outcome == "counterexample"
    pr = res.counterexample.counterexample()
    assert pr.source == "enumeration" and pr.hypotheses["nonzero-inputs"] == "verified"
    write_counterexample(res, tmp_path / "out")
    assert all(s == "verified" for s in res.recheck.values())
    assert not any("evidence" in c for c in res.certificates)   # no flow reached it
    text = Path(res.claim_file).read_text()
    assert "exact enumeration" in text and 'kind = "not-global"' in text


def test_jobs_give_the_same_instances_and_verdicts():
    """--jobs evaluates the draws in forked processes first; the search then reads them back:
    the same instances in the same order, the same statuses (hypothesis `kkt` on a linear
    network: exact enumeration, no wall-clock-bounded gradient flow that load could cut)."""
    conj = parse_conjecture_text(GOOD.replace('"relu"', '"linear"').replace(
        '"local"', '"global"').replace('["gf-limit"]', '["kkt"]'), "lin.toml")
    a = explore_conjecture(conj, examples=3, seed=3)
    b = explore_conjecture(conj, examples=3, seed=3, jobs=2)
    assert [r.case for r in a.results] == [r.case for r in b.results]
    assert [r.status for r in a.results] == [r.status for r in b.results]
    with pytest.raises(InputError):
        explore_conjecture(conj, examples=1, jobs=0)


def test_jobs_find_the_same_first_counterexample(tmp_path):
    """With --jobs the draws after the first counterexample are cancelled, not read: the
    search still stops at the same instance as the serial one (exact enumeration, no
    wall-clock-bounded flow)."""
    conj = parse_conjecture_text(KKT_GLOBAL, str(tmp_path / "kkt-global.toml"))
    a = explore_conjecture(conj, examples=10, seed=0, shrink_seconds=0)
    b = explore_conjecture(conj, examples=10, seed=0, shrink_seconds=0, jobs=2)
    assert a.outcome == b.outcome == "counterexample"
    first = [r.case for r in a.results].index(a.counterexample.case)
    assert [r.case for r in b.results][:first + 1] == [r.case for r in a.results][:first + 1]


@pytest.mark.parametrize("x, signs", [((3, -1, -3, -1), {"w1": 0, "w2": -1}),
                                      ((2, 1, -2, 1), {"w1": 0, "w2": 1})])
def test_symmetric_conv_init_starts_active_on_the_data(x, signs):
    """The mirror-symmetric convolution filter: first coordinate 0, the others with the signs
    of Σ y_i x_i on the first patch (so the filter's input is positive on the sample)."""
    from symkkt._explore.instance import Case, structured_inits
    from symkkt.network import conv_disjoint

    net = conv_disjoint(2, 2, "relu")
    inits = structured_inits(net, Case((x,), (1,), (), ()))
    filters = [{k: int(i[k]) for k in ("w1", "w2")} for i in inits
               if i["w1"] == 0 and all(i[p] != 0 for p in net.params if p != "w1")]
    assert signs in filters
    assert all(f != {"w1": 0, "w2": -signs["w2"]} for f in filters)
