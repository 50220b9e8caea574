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
                                  ["--derive", "--examples", "0"]])
def test_cli_derive_usage_errors(args):
    r = subprocess.run([sys.executable, "-m", "symkkt.cli", "table", *args],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
