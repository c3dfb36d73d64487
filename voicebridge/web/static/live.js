// Live calls: server-sent events from /live/events add calls, their turns as they are stored, and remove ended calls.
"use strict";
(function () {
  const box = document.getElementById("live-calls");
  const none = document.getElementById("live-none");
  const cards = new Map();
  const label = (role) => role === "caller" ? box.dataset.caller : role === "agent" ? box.dataset.agent : role;
  function refresh() { none.hidden = cards.size > 0; }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  const events = new EventSource("/live/events");
  events.addEventListener("call", (e) => {
    const call = JSON.parse(e.data);
    const card = el("section", "card live-call");
    card.dataset.call = call.id;
    const h = el("h2", "", (call.caller_number || "–") + " · " + call.started_at.slice(11, 19) + " · " + call.transport + " ");
    const link = el("a", "", box.dataset.open); link.href = "/calls/" + call.id; h.appendChild(link);
    card.appendChild(h);
    card.appendChild(el("ol", "transcript"));
    box.appendChild(card); cards.set(call.id, card); refresh();
  });
  events.addEventListener("turn", (e) => {
    const turn = JSON.parse(e.data);
    const card = cards.get(turn.call_id);
    if (!card) return;
    const li = el("li", "turn " + turn.role);
    li.appendChild(el("span", "at", (turn.offset_ms / 1000).toFixed(1) + " s"));
    li.appendChild(el("span", "role", label(turn.role)));
    li.appendChild(el("span", "text", turn.text));
    card.querySelector("ol").appendChild(li);
  });
  events.addEventListener("ended", (e) => {
    const id = JSON.parse(e.data).id;
    const card = cards.get(id);
    if (card) { card.remove(); cards.delete(id); } refresh();
  });
  events.addEventListener("signed_out", () => { events.close(); location.href = "/login?next=/live"; });
  refresh();
})();
