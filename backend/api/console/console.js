// The console: one chat call against the API, its events streamed, the caller's facts live.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { callId: null, callerId: null, stream: null };

$("key").value = localStorage.getItem("switchboard.key") || "";
$("key").addEventListener("change", () => localStorage.setItem("switchboard.key", $("key").value));

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Authorization": `Bearer ${$("key").value}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
  return data;
}

function say(speaker, text, agent) {
  const item = document.createElement("li");
  item.className = speaker;
  item.textContent = text;
  if (agent) {
    const who = document.createElement("small");
    who.textContent = agent;
    item.prepend(who);
  }
  $("conversation").append(item);
  item.scrollIntoView();
}

function showError(error) { $("error").textContent = error.message; }

async function refreshFacts() {
  if (!state.callerId) return;
  const timeline = await api("GET", `/v1/callers/${encodeURIComponent(state.callerId)}/timeline`);
  $("facts").replaceChildren(...timeline.facts.map((f) => {
    const row = document.createElement("tr");
    row.className = "fact";
    for (const value of [f.fact, f.valid_at, f.invalid_at || "now"]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    }
    return row;
  }));
}

function onEvent(type, event) {
  if (type === "agent_updated") $("agent").textContent = event.agent;
  if (type === "handoff") {
    const item = document.createElement("li");
    item.className = "handoff";
    item.textContent = `${event.from} → ${event.to}: ${event.intent}${event.reason ? ` (${event.reason})` : ""}`;
    $("handoffs").append(item);
  }
  if (type === "turn_done") {
    $("agent").textContent = event.agent;
    say("agent", event.reply, event.agent);
    refreshFacts().catch(showError);
  }
}

// Server-sent events over fetch (EventSource cannot send the Authorization header).
async function listen(callId) {
  const controller = new AbortController();
  state.stream = controller;
  const response = await fetch(`/v1/calls/${callId}/stream`, {
    headers: { "Authorization": `Bearer ${$("key").value}` }, signal: controller.signal,
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (type && data) onEvent(type[1], JSON.parse(data[1]));
    }
  }
}

$("start-call").addEventListener("click", async () => {
  $("error").textContent = "";
  try {
    const body = { channel: "chat" };
    if ($("name").value) body.name = $("name").value;
    if ($("phone").value) body.from = $("phone").value;
    const call = await api("POST", "/v1/calls", body);
    Object.assign(state, { callId: call.call_id, callerId: call.caller.id });
    $("call-id").textContent = call.call_id;
    $("agent").textContent = call.agent;
    $("caller-name").textContent = call.caller.name || "this caller";
    $("call").hidden = false;
    $("memory").hidden = false;
    say("agent", call.greeting, call.agent);
    listen(call.call_id).catch(() => {});
    await refreshFacts();
  } catch (error) { showError(error); }
});

$("say").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.callId) return;
  $("text").value = "";
  say("caller", text);
  try {
    await api("POST", `/v1/calls/${state.callId}/turns`, { text });
  } catch (error) { showError(error); }
});

$("end").addEventListener("click", async () => {
  try {
    const ended = await api("POST", `/v1/calls/${state.callId}/end`, {});
    say("agent", `Call ended; ingestion job ${ended.job_id}.`);
    $("send").disabled = true;
  } catch (error) { showError(error); }
});
