"""symkkt table --derive (issue 15, item 3): the tables from conjecture search alone."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from symkkt.derive import (DERIVE_LAYOUT, PAPER, DeriveCell, DeriveRow, derive_tables,
                           matches_paper, render_derived)
from symkkt.explore import bundled_conjectures


def test_every_conjecture_the_layout_names_is_bundled_and_reads():
    from symkkt._explore.conjecture import load_conjecture

    bundled = bundled_conjectures()
    for rows in DERIVE_LAYOUT.values():
        for row in rows:
            for cell in (row.linear, row.relu):
                assert cell.local or cell.global_
                for name in (cell.local, cell.global_):
                    if name:
                        load_conjecture(bundled[name])
    assert {k: len(v) for k, v in PAPER.items()} == {k: len(v) for k, v in
                                                      DERIVE_LAYOUT.items()}


def test_derive_small_layout(tmp_path):
    """One negative cell (a certified counterexample, written and re-checked) and one positive
    cell ("no counterexample in N", never "proved"); the decision is the search's."""
    layout = {"t": [DeriveRow("row", DeriveCell(local="diagonal-linear-depth2-gf-local"),
                              DeriveCell(global_="fc-linear-global"))]}
    doc = derive_tables(examples=10, seed=0, out_dir=tmp_path, shrink_seconds=2,
                        layout=layout)
    e = doc["tables"]["t"][0]
    assert e["linear"] == "not-local"
    cx = e["linear_evidence"]["counterexample"]
    assert cx and (tmp_path / cx.split("/")[-1]).exists()
    assert e["relu"] == "global"
    searched = e["relu_evidence"]["searched"]
    assert searched and searched[0]["outcome"] == "none-found"
    md = render_derived(doc, "md")
    assert "Not local [counterexample:" in md and "no counterexample in" in md
    assert "proved" not in md
    assert json.loads(render_derived(doc, "json"))["tables"]["t"][0]["linear"] == "not-local"
    assert r"\begin{tabular}" in render_derived(doc, "latex")


def test_a_cell_search_cannot_reproduce_is_reported_not_assumed():
    doc = {"tables": {"table1": [{"setting": "s", "linear": "not-found", "relu": "global",
                                  "linear_paper": "not-local", "relu_paper": "global",
                                  "linear_evidence": {"counterexample": None, "searched": [
                                      {"counts": {"instances": 4, "verified": 0}}]},
                                  "relu_evidence": {"counterexample": None, "searched": [
                                      {"counts": {"instances": 5, "verified": 5}}]}}]}}
    assert not matches_paper(doc)
    md = render_derived(doc, "md")
    assert "no counterexample found [no counterexample in 4 (0 certified)] (paper: Not local)" in md


@pytest.mark.parametrize("args", [["--derive", "--format", "xml"],
                                  ["--derive", "--examples", "0"],
                                  ["--derive", "--jobs", "0"]])
def test_cli_derive_usage_errors(args):
    r = subprocess.run([sys.executable, "-m", "symkkt.cli", "table", *args],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def _fake_search(name: str) -> dict:
    """A search whose outcome is its name's: ``cx-…`` finds a counterexample."""
    return {"conjecture": name, "seconds": 0.0,
            "outcome": "counterexample" if name.startswith("cx-") else "none-found",
            "counts": {"instances": 1, "verified": 0 if name.startswith("cx-") else 1}}


@pytest.mark.parametrize("jobs", [1, 2])
def test_search_all_runs_a_global_search_only_where_the_local_one_found_nothing(jobs):
    from symkkt.derive import _search_all

    layout = {"t": [DeriveRow("a", DeriveCell(local="cx-a", global_="never"),
                              DeriveCell(local="none-b", global_="after-b")),
                    DeriveRow("c", DeriveCell(global_="alone"), DeriveCell(local="cx-a"))]}
    order: list[str] = []
    runs = _search_all(layout, _fake_search, jobs, lambda name, e: order.append(name))
    assert set(runs) == {"cx-a", "none-b", "after-b", "alone"}      # "never" is not searched
    assert sorted(order) == sorted(runs) and len(order) == len(runs)  # each reported once
    assert order.index("after-b") > order.index("none-b")


def test_search_all_starts_the_longest_search_first(monkeypatch):
    from symkkt import derive

    monkeypatch.setattr(derive, "SCHEDULE_SECONDS", {"short": 1.0, "long": 100.0})
    layout = {"t": [DeriveRow("a", DeriveCell(local="short"), DeriveCell(local="long")),
                    DeriveRow("b", DeriveCell(local="new"), DeriveCell(local="short"))]}
    order: list[str] = []
    derive._search_all(layout, _fake_search, 1, lambda name, e: order.append(name))
    assert order == ["new", "long", "short"]    # unknown cost first, then longest first


def test_derive_tables_rejects_zero_jobs():
    from symkkt.errors import InputError

    with pytest.raises(InputError, match="jobs=0 must be at least 1"):
        derive_tables(examples=1, jobs=0)
