import { createConsoleLogger, createServer } from "@meshpush/pusher-server";
import Pusher from "pusher"; // the server SDK: publishes through the HTTP API
import PusherClient from "pusher-js"; // the client library (its Node build)

const app = { id: "app-id", key: "app-key", secret: "change-me" };
// Every field is optional; port 0 picks a free port, read back from server.port.
const server = createServer({ host: "127.0.0.1", port: 0, apps: [app] }, { logger: createConsoleLogger({ level: "warn" }) });
await server.start(); // rejects when the port is taken
console.log(`listening on 127.0.0.1:${server.port}`);

const client = new PusherClient(app.key, {
  cluster: "mt1", // required by pusher-js, unused with wsHost
  wsHost: "127.0.0.1",
  wsPort: server.port,
  forceTLS: false,
  enabledTransports: ["ws"],
});
const channel = client.subscribe("news");
await new Promise((resolve) => channel.bind("pusher:subscription_succeeded", resolve));
const received = new Promise((resolve) => channel.bind("headline", resolve));

const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: "127.0.0.1", port: String(server.port), useTLS: false });
await sdk.trigger("news", "headline", { text: "hello from an embedded meshpush" });
console.log("the client got", JSON.stringify(await received));

client.disconnect();
await server.stop(); // /ready turns 503, sockets are closed with 4200, the adapter is closed
