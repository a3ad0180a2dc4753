"""The retrieval eval (``switchboard eval retrieval``) at a small size, on the session's stack:
labelled evidence, the baselines in the same run, the JSON and markdown it writes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from backend.evals import histories, retrieval
from backend.evals.histories import KINDS
from memory import Memory


def test_histories_are_seeded_and_every_question_has_its_evidence() -> None:
    a, b = histories.generate(7, 3), histories.generate(7, 3)
    assert [q.text for q in a.questions] == [q.text for q in b.questions]
    assert {q.kind for q in a.questions} == set(KINDS)
    turns = {(c.call_id, t.id): t for h in a.histories for c in h.calls for t in c.turns}
    for q in a.questions:
        assert q.evidence and all(key in turns for key in q.evidence)
        assert all(turns[key].at < q.asked_at for key in q.evidence)
    # calls weeks apart, topics coming back across calls
    calls = a.histories[0].calls
    assert len(calls) >= 6
    assert all((n.started - p.started).days >= 7 for p, n in itertools.pairwise(calls))


def test_scores_count_evidence_turns_found() -> None:
    s = retrieval.Scores()
    s.add([("c", "t2"), ("c", "t1")], [("c", "t1"), ("c", "t9")])
    assert s.summary() == {"recall_at_1": 0.0, "recall_at_5": 0.5, "recall_at_10": 0.5, "mrr": 0.5}


async def test_small_run_reports_search_and_both_baselines(mem: Memory, tmp_path: Path) -> None:
    result = await retrieval.evaluate(mem, retrieval.TUNING_SEED, callers=4)
    assert result["questions"] == 36 and result["set"] == "tuning"
    assert set(result["recall_at_10"]) == set(retrieval.SYSTEMS)
    assert set(result["by_kind"]) == {"all", *KINDS}
    assert all(0 <= v <= 1 for v in result["recall_at_10"].values())
    # A regression guard, not the target (that is measured on the full report set): search
    # ranks the caller's own turns at least as well as either baseline does alone.
    r = result["recall_at_10"]
    assert r["search"] >= max(r["bm25"], r["vector"])
    out = tmp_path / "retrieval.json"
    out.write_text(json.dumps(result))
    assert json.loads(out.read_text())["by_kind"]["changed"]["search"]["questions"] == 8
    retrieval.write_markdown(tmp_path / "retrieval.md", result)
    assert "| all | search |" in (tmp_path / "retrieval.md").read_text()
