"""Tables 1 and 2 are regenerated from verified claims, never from the paper's words."""

import json

import click
import pytest
import typer

import theorems
import theorems.tables as tables
from symkkt.tables import Cell, cell_verdict, render

# The paper's tables, typed in HERE ONLY, to compare the regenerated ones against.
PAPER = {
    "table1": [("global", "not-local"), ("not-local", "not-local"), ("global", "not-local"),
               ("global", "local-not-global"), ("not-local", "not-local")],
    "table2": [("global", "not-local"), ("not-local", "not-local"), ("global", "not-local"),
               ("global", "local-not-global")],
}
SOURCES = {
    "table1": [("3.1", "3.2"), ("4.1", "3.2"), ("4.2", "4.2"), ("4.2", "4.3"), ("4.4", "4.4")],
    "table2": [("3.1", "3.2"), ("5.1", "5.1"), ("5.2", "5.3"), ("5.2", "5.4")],
}

# What each cited result's verified claims look like (kinds per activation), as the suite
# reports them; used to fake a report without running the kernel.
FAKE_KINDS = {
    "3.1": {"linear": ["kkt", "global"]},
    "3.2": {"relu": ["kkt", "not-local", "global-optimum-value"]},
    "4.1": {"linear": ["kkt", "not-local"], "relu": ["kkt", "not-local"]},
    "4.2(1)": {"linear": ["kkt", "global", "nonzero-weights"]},
    "4.2(2)": {"relu": ["kkt", "not-local", "nonzero-weights"]},
    "4.3": {"relu": ["kkt", "local", "nonzero-inputs", "not-global"]},
    "4.4": {"linear": ["kkt", "not-local", "nonzero-inputs"],
            "relu": ["kkt", "not-local", "nonzero-inputs"]},
    "5.1": {"linear": ["kkt", "not-local", "nonzero-inputs", "no-decrease"],
            "relu": ["kkt", "not-local", "nonzero-inputs", "no-decrease"]},
    "5.2": {"linear": ["kkt", "per-layer-global"]},
    "5.3": {"relu": ["kkt", "per-layer-not-local", "per-layer-global"]},
    "5.4": {"relu": ["kkt", "nonzero-inputs", "per-layer-local", "per-layer-not-global"]},
}


def fake_claims(status=None):
    """Report claims as ``ClaimReport.to_json`` writes them; ``status`` overrides by id."""
    status = status or {}
    out = []
    for tid, per in FAKE_KINDS.items():
        for act, kinds in per.items():
            for kind in kinds:
                cid = f"{tid}/{act}/{kind}"
                out.append({"theorem": tid, "id": cid, "kind": kind, "activation": act,
                            "status": status.get(cid, "verified"), "values": {}})
    return out


def grid(doc):
    return {name: [(e["linear"], e["relu"]) for e in rows] for name, rows in doc.items()}


def test_all_verified_reproduces_the_paper_cell_for_cell():
    doc = tables.tables_from_claims(fake_claims(), list(FAKE_KINDS))
    assert grid(doc) == PAPER
    assert {name: [(e["linear_theorem"], e["relu_theorem"]) for e in rows]
            for name, rows in doc.items()} == SOURCES


def test_refuted_claim_never_shows_the_paper_verdict():
    doc = tables.tables_from_claims(fake_claims({"4.3/relu/not-global": "refuted"}),
                                    list(FAKE_KINDS))
    row = doc["table1"][3]
    assert row["relu"] == "unverified" and row["relu_theorem"] == "4.3"
    assert "4.3/relu/not-global (refuted)" in row["relu_detail"]["reason"]
    md = render(doc, "md")
    assert "unverified (4.3)" in md and "Local, not global (Thm. 4.3)" not in md
    # every other cell is untouched
    assert grid(doc)["table1"][:3] == PAPER["table1"][:3]


def test_unknown_claim_and_missing_assumption_are_unverified():
    doc = tables.tables_from_claims(fake_claims({"5.3/relu/kkt": "unknown"}), list(FAKE_KINDS))
    assert doc["table2"][2]["relu"] == "unverified"
    claims = [c for c in fake_claims() if c["id"] != "4.2(2)/relu/nonzero-weights"]
    doc = tables.tables_from_claims(claims, list(FAKE_KINDS))
    assert doc["table1"][2]["relu"] == "unverified"
    assert "nonzero-weights" in doc["table1"][2]["relu_detail"]["reason"]


def test_missing_result_is_unverified():
    registered = [t for t in FAKE_KINDS if t != "5.4"]
    claims = [c for c in fake_claims() if c["theorem"] != "5.4"]
    doc = tables.tables_from_claims(claims, registered)
    assert doc["table2"][3]["relu"] == "unverified"
    assert "not in this build" in doc["table2"][3]["relu_detail"]["reason"]


def test_verdict_comes_from_kinds_not_from_the_layout():
    # a layout cell pointing at a result whose claims say "not local" shows "not local",
    # whatever the paper says about that row
    cell = Cell(("3.2",), "relu", "3.2")
    v = cell_verdict(cell, fake_claims(), FAKE_KINDS)
    assert v["verdict"] == "not-local"
    cell = Cell(("4.3",), "relu", "4.3")
    assert cell_verdict(cell, fake_claims(), FAKE_KINDS)["verdict"] == "local-not-global"
    only_local = [c for c in fake_claims() if c["id"] != "4.3/relu/not-global"]
    assert cell_verdict(cell, only_local, FAKE_KINDS)["verdict"] == "unverified"


def test_formats():
    doc = tables.tables_from_claims(fake_claims(), list(FAKE_KINDS))
    data = json.loads(render(doc, "json"))
    assert set(data) == {"table1", "table2"}
    assert set(data["table1"][0]) >= {"setting", "linear", "relu"}
    assert all(not k.endswith("_detail") for k in data["table1"][0])
    tex = render(doc, "latex", tables.TITLES)
    assert r"\begin{tabular}" in tex and "Not local (Thm. 3.2)" in tex
    assert "N\\_no-share" in tex
    with pytest.raises(ValueError):
        render(doc, "html")


def test_table_command_json_with_a_refuted_claim(monkeypatch, capsys):
    monkeypatch.setattr(tables, "run_claims",
                        lambda ids=None, on_done=None: (
                            fake_claims({"3.1/linear/global": "refuted"}), list(FAKE_KINDS)))
    with pytest.raises((typer.Exit, click.exceptions.Exit)) as info:
        tables.table_command("json")
    assert info.value.exit_code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["table1"][0]["linear"] == "unverified"
    assert data["table2"][0]["linear"] == "unverified"
    assert data["table1"][0]["relu"] == "not-local"


def test_table_command_all_verified_exits_0(monkeypatch, capsys):
    monkeypatch.setattr(tables, "run_claims",
                        lambda ids=None, on_done=None: (fake_claims(), list(FAKE_KINDS)))
    with pytest.raises((typer.Exit, click.exceptions.Exit)) as info:
        tables.table_command("md")
    assert info.value.exit_code == 0
    out = capsys.readouterr().out
    assert ("| Fully-connected | Global (Thm. 3.1) [instances (1)] | Not local (Thm. 3.2) "
            "[example] |") in out


def test_layout_cites_registered_results():
    registered = set(theorems.ids())
    for rows in tables.LAYOUT.values():
        for row in rows:
            for cell in (row.linear, row.relu):
                assert any(t in registered for t in cell.theorem), cell


def test_real_claims_for_two_cells():
    claims, registered = tables.run_claims(["4.1", "4.4"])
    doc = tables.tables_from_claims(claims, registered)
    assert doc["table1"][1]["linear"] == "not-local"            # Theorem 4.1, verified
    assert doc["table1"][4] == {**doc["table1"][4], "linear": "not-local",
                                "relu": "not-local"}            # Theorem 4.4, verified
    assert doc["table1"][0]["linear"] == "unverified"           # 3.1 was not run


def test_crashing_search_makes_the_cell_unverified(monkeypatch):
    import symkkt.suite
    import theorems.thm_4_1 as t41
    from symkkt.claims import Claim

    def boom():
        raise RuntimeError("search exploded")

    fake = [Claim("3.1", "global", "linear", t41.instance("linear"), boom)]
    monkeypatch.setattr(symkkt.suite, "collect", lambda ids: fake)
    claims, registered = tables.run_claims(["3.1"])
    assert claims[0]["status"] == "unknown" and "exploded" in claims[0]["reasons"][0]
    doc = tables.tables_from_claims(claims, registered)
    assert doc["table1"][0]["linear"] == "unverified"
