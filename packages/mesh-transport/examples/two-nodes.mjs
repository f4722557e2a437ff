import { Mesh } from "@meshpush/mesh-transport";

// Two nodes in one process for the example; usually each runs in its own process or host.
// Port 0: no rendezvous port, each node listens on a free port, and b joins through a as a seed.
const secret = "change-me";
const a = await Mesh.start({ host: "127.0.0.1", port: 0, secret });
const b = await Mesh.start({ host: "127.0.0.1", port: 0, secret, seeds: [a.stats().address] });

const received = new Promise((resolve) => {
  b.on("message", (subject, payload, from) => resolve({ subject, payload, from }));
});
b.subscribe("news"); // a learns it as soon as their route is up
// Frames from one peer arrive in send order: when b's "hello" reaches a, b's interest has too.
b.on("peer-up", (nodeId) => b.sendTo(nodeId, "hello", null));
a.on("broadcast", (topic) => {
  if (topic === "hello") a.publish("news", { headline: "the mesh is up" });
});

const { subject, payload, from } = await received;
console.log(`b got ${JSON.stringify(payload)} on ${subject} from ${from === a.nodeId ? "a" : from}`);
await Promise.all([a.close(), b.close()]);
