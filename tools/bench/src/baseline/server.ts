/**
 * The bare uWebSockets.js baseline: only what the fanout and throughput scenarios need from the
 * Pusher protocol. It accepts `/app/:key`, answers `pusher:subscribe` by subscribing the socket to
 * the channel's topic, and publishes the frame for `POST /apps/:id/events` with no signature check,
 * no validation and no adapter. Same uWS settings as meshpush (no compression, 1 MiB backpressure).
 * Prints `baseline ready {"port":…,"pid":…}` once listening on 127.0.0.1:$PORT (0: any).
 * With SSL_CERT and SSL_KEY (PEM files) it serves TLS, like meshpush with the same settings.
 */
import uWS from 'uWebSockets.js';

const certFile = process.env['SSL_CERT'];
const keyFile = process.env['SSL_KEY'];
const app = certFile && keyFile ? uWS.SSLApp({ cert_file_name: certFile, key_file_name: keyFile }) : uWS.App();
let nextSocket = 1;

app.ws('/app/:key', {
  compression: 0,
  maxPayloadLength: 1024 * 1024,
  maxBackpressure: 1024 * 1024,
  closeOnBackpressureLimit: 1,
  idleTimeout: 0,
  sendPingsAutomatically: false,
  open: (ws) => {
    const data = JSON.stringify({ socket_id: `${process.pid}.${nextSocket++}`, activity_timeout: 120 });
    ws.send(JSON.stringify({ event: 'pusher:connection_established', data }));
  },
  message: (ws, message) => {
    const frame = JSON.parse(Buffer.from(message).toString()) as { event?: string; data?: { channel?: string } };
    const channel = frame.data?.channel;
    if (frame.event === 'pusher:subscribe' && typeof channel === 'string') {
      ws.subscribe(channel);
      ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }));
    } else if (frame.event === 'pusher:ping') {
      ws.send('{"event":"pusher:pong","data":"{}"}');
    }
  },
});

app.post('/apps/:id/events', (res) => {
  let aborted = false;
  let body = Buffer.alloc(0);
  res.onAborted(() => (aborted = true));
  res.onData((chunk, isLast) => {
    // The chunk is only valid inside this callback: concat copies it.
    body = Buffer.concat([body, Buffer.from(chunk)]);
    if (!isLast || aborted) return;
    const event = JSON.parse(body.toString()) as { name: string; channel: string; data: string };
    app.publish(
      event.channel,
      JSON.stringify({ event: event.name, channel: event.channel, data: event.data }),
      false,
      false,
    );
    res.cork(() => res.writeHeader('Content-Type', 'application/json').end('{}'));
  });
});

app.listen('127.0.0.1', Number(process.env['PORT'] ?? 0), (listenSocket) => {
  if (!listenSocket) {
    process.stderr.write('baseline: cannot listen\n');
    process.exit(1);
  }
  const port = uWS.us_socket_local_port(listenSocket);
  process.stdout.write(`baseline ready ${JSON.stringify({ port, pid: process.pid })}\n`);
});

// A clean exit, so that `--cpu-prof` can write its profile.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
