"""The scenarios' callers' phones: a local server speaking the part of Twilio's REST API the
product texts with (``POST /2010-04-01/Accounts/{sid}/Messages.json``, basic auth, form
fields ``To``, ``From``, ``Body``; 201 with the message). Each message is kept by the number it
went to, so a caller can read out the code they were texted (``{code}`` in a scenario's line)."""

from __future__ import annotations

import base64
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from backend.embedded.loopback import serving

ACCOUNT = "AC" + "e" * 32
"""The Twilio account every scenario's tenant texts from (``backend.evals.tenants``)."""
TOKEN = "eval-twilio-auth-token"
_CODE = re.compile(r"\b\d{6}\b")


class Phones:
    """What was texted to whom; ``url`` is the server's once it runs."""

    def __init__(self) -> None:
        self.url = ""
        self.inbox: dict[str, list[str]] = defaultdict(list)

    def code(self, number: str) -> str | None:
        """The one-time code in the latest text to ``number`` (E.164): its last six digits in a
        row (the text begins with the agency's name, which may hold some)."""
        for body in reversed(self.inbox.get(number, [])):
            if found := _CODE.findall(body):
                return str(found[-1])
        return None

    def app(self) -> FastAPI:
        app = FastAPI()
        allowed = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()

        @app.post("/2010-04-01/Accounts/{account}/Messages.json")
        async def message(account: str, request: Request) -> JSONResponse:
            if account != ACCOUNT or request.headers.get("authorization") != allowed:
                return JSONResponse(
                    {"code": 20003, "message": "Authenticate", "status": 401}, status_code=401
                )
            form = dict(await request.form())
            to, body = str(form.get("To", "")), str(form.get("Body", ""))
            self.inbox[to].append(body)
            sid = "SM" + uuid.uuid4().hex
            fields: dict[str, Any] = {"sid": sid, "account_sid": account, "to": to, "from": form.get("From")}
            return JSONResponse({**fields, "body": body, "status": "queued"}, status_code=201)

        return app


@contextmanager
def ringing() -> Iterator[Phones]:
    """The phones, served while the block runs."""
    phones = Phones()
    with serving(phones.app()) as url:
        phones.url = url
        yield phones
