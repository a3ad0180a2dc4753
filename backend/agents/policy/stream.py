"""The stream events of one policy reply, as a model's stream would send them.

The runner needs only the reply text's deltas (spoken as they come) and the completed
response. ``agents.testing.ScriptedModel`` made the full event sequence, but deep-copied
every call's input to record it: 6% of an API process's CPU at load (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

from agents.items import TResponseStreamEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)


def stream_of(output: Any) -> list[TResponseStreamEvent]:
    """A message's text as one delta each part, then the response holding ``output``."""
    events: list[TResponseStreamEvent] = []
    if isinstance(output, ResponseOutputMessage):
        for index, part in enumerate(output.content):
            if isinstance(part, ResponseOutputText):
                events.append(
                    ResponseTextDeltaEvent(
                        type="response.output_text.delta",
                        item_id=output.id,
                        output_index=0,
                        content_index=index,
                        delta=part.text,
                        logprobs=[],
                        sequence_number=len(events),
                    )
                )
    # Built unvalidated: the Model interface allows a response without an id, Response does not.
    response = Response.model_construct(
        id=None,
        created_at=0,
        model="policy",
        object="response",
        output=[output],
        tool_choice="none",
        tools=[],
        parallel_tool_calls=False,
        status="completed",
    )
    events.append(
        ResponseCompletedEvent(type="response.completed", response=response, sequence_number=len(events))
    )
    return events
