"""Search over a known caller's own turns: BM25 with stemming, neighbouring turns, time cues,
and never another caller's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memory import Memory, bm25, turns

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_terms_are_stemmed_without_stop_words() -> None:
    assert bm25.terms("What did I say about the dogs running?") == ["say", "dog", "run"]


def test_bm25_ranks_the_rarer_term_higher() -> None:
    texts = ["the budget is fine", "our budget and the school", "the school is Clovelly Public"]
    scores = bm25.scores("Clovelly school", texts)
    assert scores.index(max(scores)) == 2 and scores[0] == 0.0


def _row(n: int, text: str, call: str = "c1", distance: float = 0.9) -> dict[str, object]:
    at = (T0 + timedelta(days=10 * (n // 100), seconds=20 * n)).isoformat()
    return {
        "uuid": f"u{n}",
        "text": text,
        "call_id": call,
        "turn_id": f"t{n}",
        "valid_at": at,
        "distance": distance,
    }


def test_an_answer_borrows_the_topic_of_the_question_before_it() -> None:
    rows = [  # distances as MiniLM puts them: the question is nearest the query
        _row(1, "What sort of budget are you working with?", distance=0.55),
        _row(2, "Probably 1.2 million, maybe a touch over.", distance=0.7),
        _row(3, "Lovely weather today.", distance=0.95),
        _row(4, "Yeah, finally a bit of sun.", distance=0.95),
    ]
    ranked = [t.row["uuid"] for t in turns.rank("what is my budget", rows)]
    assert ranked[0] == "u2", ranked  # the answer, above the question that names the topic


def test_a_question_about_now_favours_later_turns() -> None:
    rows = [
        _row(1, "Just confirming your budget.", "c1"),
        _row(2, "Make it 900k.", "c1"),
        _row(201, "Just confirming your budget.", "c3"),
        _row(202, "Make it 1.3 million.", "c3"),
    ]
    now = [t.row["uuid"] for t in turns.rank("what's my budget now", rows)]
    assert now.index("u202") < now.index("u2")


async def test_a_known_callers_search_holds_only_their_own_turns(mem: Memory, group: str) -> None:
    for who in ("c1", "c2"):
        await mem.record(
            {
                "type": "caller_identified",
                "id": f"id-{who}",
                "group_id": group,
                "valid_at": T0,
                "caller_id": who,
            }
        )
        await mem.ingest_transcript(
            group,
            f"call-{who}",
            [
                {"id": "t0", "speaker": "agent", "text": "Lovely weather today.", "at": T0},
                {"id": "t1", "speaker": "agent", "text": "Which school is your daughter at?", "at": T0},
                {"id": "t2", "speaker": who, "text": f"She's at Clovelly Public, {who}.", "at": T0},
                {"id": "t3", "speaker": who, "text": "Yeah, finally a bit of sun.", "at": T0},
                {
                    "id": "t4",
                    "speaker": "agent",
                    "text": "What sort of budget are you working with?",
                    "at": T0,
                },
            ],
            T0,
            caller_id=who,
        )
    hits = await mem.search(group, "which school did I mention", caller_id="c1")
    episodes = [h for h in hits if h.kind == "episode"]
    assert episodes and {h.call_id for h in episodes} == {"call-c1"}
    assert ["t2"] in [h.turn_ids for h in episodes[:2]]  # the answer, beside its question
    assert next(h for h in episodes if h.turn_ids == ["t2"]).text.startswith("c1: ")
    tenant = await mem.search(group, "Clovelly Public school")
    assert {h.call_id for h in tenant if h.kind == "episode"} == {"call-c1", "call-c2"}


async def test_earlier_turns_are_the_callers_own_from_their_other_calls(mem: Memory, group: str) -> None:
    await mem.record(
        {"type": "caller_identified", "id": "id-c1", "group_id": group, "valid_at": T0, "caller_id": "c1"}
    )
    calls = {
        "call-1": ["Which school is your daughter at?", "She's at Clovelly Public.", "And the budget?"],
        "call-2": ["Is she still at Clovelly Public?", "Yes, still at the same school."],
    }
    for call_id, texts in calls.items():
        lines = [{"id": f"t{n}", "speaker": "c1", "text": text, "at": T0} for n, text in enumerate(texts)]
        await mem.ingest_transcript(group, call_id, lines, T0, caller_id="c1")

    hits = await mem.earlier_turns(group, "which school did I mention", "c1", besides_call="call-2", limit=2)
    assert [h.call_id for h in hits] == ["call-1", "call-1"]
    assert "Clovelly Public" in " ".join(h.text for h in hits)
    assert all(h.kind == "episode" and h.episode_ids == [h.uuid] for h in hits)
    assert await mem.earlier_turns(group, "which school", "c1", besides_call="call-1", limit=5)
    assert not await mem.earlier_turns(group, "which school", "c2", besides_call="call-1")  # nobody's
