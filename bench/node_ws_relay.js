// The comparison server for bench/ws_bench.sh: a Node.js broadcast server on
// the npm `ws` package, fed the same events stratd's clients get (it reads
// them from stratd's own /ws). Each event is sent on once, as one shared
// string, to every client whose subscription ("runners", "event_types")
// matches, as stratd filters, wrapped with relay_ns (when this server
// received it) so its own delay can be measured apart from the hop it came
// through. With batch_ms > 0 it sends {"type":"batch","events":[...]} to
// everyone every batch_ms. With upstream_batch_ms > 0 it asks stratd for
// batches of that age: events that reached stratd together (the runners
// tick together) then reach this server together too, as a burst, the way
// they reach stratd's own fan-out.
//
//   node bench/node_ws_relay.js ws://127.0.0.1:3000/ws PORT [batch_ms] [upstream_batch_ms]
// PORT 0: a free port, announced as the first line out ("listening N").
const WebSocket = require("ws");
const [, , upstreamUrl, port, batchArg, upstreamBatchArg] = process.argv;
const batchMs = Number(batchArg || 0);
const upstreamBatchMs = Number(upstreamBatchArg || 0);
// Wall-clock nanoseconds: the monotonic clock anchored at the edge of a
// wall-clock millisecond (performance.timeOrigin can be off by a millisecond).
const wallAt = Date.now();
let wallEdge;
while ((wallEdge = Date.now()) === wallAt) {}
const base = BigInt(wallEdge) * 1000000n - process.hrtime.bigint();
const nowNs = () => base + process.hrtime.bigint();

const clients = new Set();
const server = new WebSocket.Server({ host: "127.0.0.1", port: Number(port), perMessageDeflate: false });
// Port 0 picks a free one: the first line out says which.
server.on("listening", () => console.log(`listening ${server.address().port}`));
server.on("connection", (ws) => {
  ws.runners = null; // null: everything
  ws.types = null;
  clients.add(ws);
  ws.on("message", (data) => {
    try {
      const m = JSON.parse(data.toString());
      if (m.type === "subscribe") {
        ws.runners = Array.isArray(m.runners) ? new Set(m.runners) : null;
        ws.types = Array.isArray(m.event_types) ? new Set(m.event_types) : null;
      }
    } catch (e) {}
  });
  ws.on("close", () => clients.delete(ws));
  ws.on("error", () => clients.delete(ws));
});

let pending = [];
function deliver(e, text) {
  if (batchMs > 0) return void pending.push(text);
  for (const ws of clients) {
    if ((ws.runners === null || ws.runners.has(e.runner_id)) && (ws.types === null || ws.types.has(e.type))) ws.send(text);
  }
}
if (batchMs > 0) {
  setInterval(() => {
    if (pending.length === 0) return;
    const text = '{"type":"batch","events":[' + pending.join(",") + "]}";
    pending = [];
    for (const ws of clients) ws.send(text);
  }, batchMs);
}

const upstream = new WebSocket(upstreamUrl, { perMessageDeflate: false });
upstream.on("message", (data) => {
  const received = nowNs();
  const raw = data.toString();
  const msg = JSON.parse(raw);
  const events = msg.type === "batch" ? msg.events.map((e) => [e, JSON.stringify(e)]) : [[msg, raw]];
  for (const [e, text] of events) {
    if (e.seq === undefined) continue; // control messages
    deliver(e, '{"relay_ns":' + received + ',"event":' + text + "}");
  }
});
upstream.on("open", () => {
  if (upstreamBatchMs > 0) upstream.send(JSON.stringify({ type: "subscribe", batch_ms: upstreamBatchMs }));
  else upstream.send(JSON.stringify({ type: "subscribe" }));
  console.log(`relaying from ${upstreamUrl}`);
});
upstream.on("close", () => process.exit(0));
