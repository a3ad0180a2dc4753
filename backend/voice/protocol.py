"""Twilio Media Streams messages (https://www.twilio.com/docs/voice/media-streams/websocket-messages):
what Twilio sends (``connected``, ``start``, ``media``, ``mark``, ``dtmf``, ``stop``) and what
we send back (``media``, ``mark``, ``clear``)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class Malformed(ValueError):
    """A message that is not JSON, not a Media Streams event, or not valid for one."""


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Connected(_Event):
    event: Literal["connected"]


class StartInfo(_Event):
    streamSid: str
    callSid: str = ""
    customParameters: dict[str, str] = Field(default_factory=dict)


class Start(_Event):
    event: Literal["start"]
    start: StartInfo


class MediaInfo(_Event):
    payload: str
    track: str = "inbound"

    def audio(self) -> bytes:
        try:
            return base64.b64decode(self.payload, validate=True)
        except (binascii.Error, ValueError):
            raise Malformed("media payload is not base64") from None


class Media(_Event):
    event: Literal["media"]
    media: MediaInfo


class MarkInfo(_Event):
    name: str


class Mark(_Event):
    event: Literal["mark"]
    mark: MarkInfo


class DtmfInfo(_Event):
    digit: Annotated[str, Field(pattern=r"^[0-9*#A-D]$")]


class Dtmf(_Event):
    event: Literal["dtmf"]
    dtmf: DtmfInfo


class Stop(_Event):
    event: Literal["stop"]


Inbound = Annotated[Connected | Start | Media | Mark | Dtmf | Stop, Field(discriminator="event")]
_INBOUND: TypeAdapter[Inbound] = TypeAdapter(Inbound)


def parse(text: str) -> Connected | Start | Media | Mark | Dtmf | Stop:
    try:
        return _INBOUND.validate_python(json.loads(text))
    except (json.JSONDecodeError, UnicodeError):
        raise Malformed("not JSON") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Malformed(f"{'.'.join(str(p) for p in first['loc']) or 'event'}: {first['msg']}") from None


def media(stream_sid: str, audio: bytes) -> dict[str, Any]:
    return {"event": "media", "streamSid": stream_sid, "media": {"payload": base64.b64encode(audio).decode()}}


def mark(stream_sid: str, name: str) -> dict[str, Any]:
    return {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}


def clear(stream_sid: str) -> dict[str, Any]:
    return {"event": "clear", "streamSid": stream_sid}
