// The browser phone: microphone -> 16 kHz PCM over a websocket -> the receptionist; its voice is played as it arrives.
// On {"type":"clear"} (the caller talked over the agent) everything scheduled is stopped at once: barge-in.
"use strict";
(function () {
  const RATE = 16000, LEAD_S = 0.08;
  const button = document.getElementById("phone-call");
  if (!button) return;
  const status = document.getElementById("phone-status");
  const stats = window.vbPhone = { state: "idle", sent: 0, received: 0, audible: 0, clears: 0, callId: null, endReason: null };
  let ctx = null, ws = null, stream = null, node = null, nextTime = 0, playing = [];

  function say(text) { status.textContent = text; }

  function stopPlayback() {
    for (const s of playing) { try { s.stop(); } catch (e) { /* already ended */ } }
    playing = []; nextTime = 0;
  }

  function play(buffer) {
    const pcm = new Int16Array(buffer);
    const f = new Float32Array(pcm.length);
    let energy = 0;
    for (let i = 0; i < pcm.length; i++) { f[i] = pcm[i] / 32768; energy += f[i] * f[i]; }
    stats.received++;
    if (Math.sqrt(energy / pcm.length) > 0.01) stats.audible++;
    const audio = ctx.createBuffer(1, f.length, RATE);
    audio.copyToChannel(f, 0);
    const source = ctx.createBufferSource();
    source.buffer = audio;
    source.connect(ctx.destination);
    const at = Math.max(ctx.currentTime + LEAD_S, nextTime);
    source.start(at);
    nextTime = at + audio.duration;
    playing.push(source);
    source.onended = () => { playing = playing.filter((s) => s !== source); };
  }

  function control(message) {
    if (message.type === "ready") { stats.state = "connected"; stats.callId = message.call_id; say("● " + message.call_id.slice(0, 8)); }
    else if (message.type === "clear") { stats.clears++; stopPlayback(); }
    else if (message.type === "end") { stats.endReason = message.reason; }
  }

  function finish(reason) {
    stats.state = "ended";
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (node) node.disconnect();
    setTimeout(() => { if (ctx) { ctx.close(); ctx = null; } }, 1500);
    ws = null; stream = null; node = null;
    button.textContent = button.dataset.call;
    button.classList.remove("hangup");
    say("■ " + (stats.endReason || reason || ""));
    if (stats.callId) {
      const link = document.getElementById("phone-log");
      link.href = "/calls/" + stats.callId; link.hidden = false;
    }
  }

  async function start() {
    stats.state = "starting";
    ctx = new AudioContext({ sampleRate: RATE });
    await ctx.audioWorklet.addModule("/static/phone-worklet.js");
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const source = ctx.createMediaStreamSource(stream);
    node = new AudioWorkletNode(ctx, "pcm-capture");
    const mute = ctx.createGain(); mute.gain.value = 0;  // keeps the capture node pulled without playing the microphone back
    source.connect(node); node.connect(mute); mute.connect(ctx.destination);
    const tenant = document.getElementById("phone-tenant").value;
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/phone/ws?tenant=" + encodeURIComponent(tenant));
    ws.binaryType = "arraybuffer";
    node.port.onmessage = (e) => { if (ws && ws.readyState === WebSocket.OPEN) { ws.send(e.data); stats.sent++; } };
    ws.onmessage = (e) => { if (typeof e.data === "string") control(JSON.parse(e.data)); else play(e.data); };
    ws.onclose = (e) => finish(e.reason);
    button.textContent = button.dataset.hangup;
    button.classList.add("hangup");
  }

  button.addEventListener("click", () => {
    if (ws) { try { ws.send(JSON.stringify({ type: "hangup" })); } catch (e) { /* closing */ } ws.close(1000, "caller_hangup"); return; }
    start().catch((err) => { stats.state = "failed"; say(String(err)); });
  });
})();
