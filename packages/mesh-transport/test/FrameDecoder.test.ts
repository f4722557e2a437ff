import { randomBytes } from 'node:crypto';
import test from 'ava';
import { FrameDecoder } from '../src/FrameDecoder.js';
import {
  createFrameEncoderCbor,
  encodeFrame,
  FrameError,
  FrameType,
  PROTOCOL_VERSION,
  type Frame,
} from '../src/frames.js';

const encoder = createFrameEncoderCbor();

/** One frame of every type, with payloads of several shapes. */
const samples: Frame[] = [
  [FrameType.HELLO, PROTOCOL_VERSION, 'meshpush', 'a1b2', Buffer.alloc(16, 7), '127.0.0.1', 11002, 2000],
  [FrameType.AUTH, Buffer.alloc(32, 1)],
  [FrameType.READY],
  [FrameType.PING, 1234.5, -1, 0],
  [FrameType.PING, 1734.5, 1240.25, 3.5],
  [FrameType.SUB, ['app-1\u001fprivate-chat', 'app-1\u001fnews']],
  [FrameType.UNSUB, ['app-1\u001fnews']],
  [FrameType.PUB, 'app-1\u001fnews', { event: 'tick', data: '{"n":1}', nested: [1, 'two', null, true] }],
  [FrameType.PUB, 'bin', Buffer.from([0, 1, 2, 255])],
  [FrameType.MSG, 'state', 'a plain string ✓'],
  [FrameType.REQ, 7, 'count', { channel: 'x' }],
  [FrameType.REP, 7, true, 42],
  [FrameType.REP, 8, false, 'no handler'],
  [FrameType.GOSSIP, [['e5f6', '127.0.0.1', 35000]]],
  [FrameType.BYE, 'node leaving'],
  [FrameType.PUB, 'large', 'y'.repeat(100_000)],
];
const wire = Buffer.concat(samples.map((frame) => encodeFrame(encoder, frame)));

function collect(maxFrameBytes = 1 << 20): { decoder: FrameDecoder; frames: Frame[] } {
  const frames: Frame[] = [];
  return { decoder: new FrameDecoder({ maxFrameBytes, onFrame: (frame) => frames.push(frame) }), frames };
}

test('decodes a stream of every frame type in one chunk', (t) => {
  const { decoder, frames } = collect();
  decoder.push(wire);
  t.deepEqual(frames, samples);
  t.is(decoder.bufferedBytes, 0);
});

test('decodes the stream fed byte by byte', (t) => {
  const { decoder, frames } = collect();
  for (let i = 0; i < wire.length; i++) decoder.push(wire.subarray(i, i + 1));
  t.deepEqual(frames, samples);
});

test('decodes every sample frame split at every offset', (t) => {
  for (const sample of samples.slice(0, -1)) {
    const bytes = encodeFrame(encoder, sample);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { decoder, frames } = collect();
      decoder.push(bytes.subarray(0, cut));
      decoder.push(bytes.subarray(cut));
      t.deepEqual(frames, [sample], `frame type ${sample[0]} cut at ${cut}`);
    }
  }
});

test('decodes the stream split into three pieces at many offsets', (t) => {
  const step = 97;
  for (let a = 0; a < wire.length; a += step) {
    const b = Math.min(wire.length, a + 13);
    const { decoder, frames } = collect();
    decoder.push(wire.subarray(0, a));
    decoder.push(wire.subarray(a, b));
    decoder.push(wire.subarray(b));
    if (frames.length !== samples.length) t.fail(`pieces at ${a}/${b}: ${frames.length} frames`);
  }
  t.pass();
});

test('rejects a length over the limit as soon as the header is in, before the body', (t) => {
  const { decoder, frames } = collect(1000);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(1001);
  decoder.push(header.subarray(0, 2));
  const error = t.throws(() => decoder.push(header.subarray(2)), { instanceOf: FrameError });
  t.regex(error.message, /exceeds the limit of 1000/);
  t.deepEqual(frames, []);
  t.truthy(decoder.failed);
});

test('rejects an oversized frame announced after a complete frame in the same chunk', (t) => {
  const { decoder, frames } = collect(64);
  const good = encodeFrame(encoder, [FrameType.PING, 1, -1, 0]);
  const bad = Buffer.alloc(6);
  bad.writeUInt32BE(65);
  t.throws(() => decoder.push(Buffer.concat([good, bad])), { instanceOf: FrameError });
  t.deepEqual(frames, [[FrameType.PING, 1, -1, 0]]);
});

test('accepts a frame of exactly the limit', (t) => {
  const frame: Frame = [FrameType.MSG, 't', 'z'.repeat(50)];
  const bytes = encodeFrame(encoder, frame);
  const { decoder, frames } = collect(bytes.length - 4);
  decoder.push(bytes);
  t.deepEqual(frames, [frame]);
});

test('ignores all input after a failure', (t) => {
  const { decoder, frames } = collect();
  t.throws(() => decoder.push(Buffer.from([0, 0, 0, 0])), { instanceOf: FrameError, message: /empty frame/ });
  decoder.push(encodeFrame(encoder, [FrameType.READY]));
  t.deepEqual(frames, []);
});

const garbage: [string, Buffer, RegExp][] = [
  [
    'undecodable CBOR',
    Buffer.from([0, 0, 0, 3, 0xff, 0xff, 0xff]),
    /undecodable|not a non-empty array|unknown frame type/,
  ],
  ['a body that is not an array', encodeRaw({ type: 8 }), /not a non-empty array/],
  ['an empty array', encodeRaw([]), /not a non-empty array/],
  ['an unknown frame type', encodeRaw([99, 'x']), /unknown frame type 99/],
  ['a PUB without a string subject', encodeRaw([FrameType.PUB, 5, 'payload']), /malformed PUB/],
  ['a SUB with a non-string subject', encodeRaw([FrameType.SUB, ['ok', 3]]), /malformed SUB/],
  ['a GOSSIP with a bad port', encodeRaw([FrameType.GOSSIP, [['id', 'host', 70000]]]), /malformed GOSSIP/],
  ['a truncated HELLO', encodeRaw([FrameType.HELLO, PROTOCOL_VERSION, 'meshpush']), /malformed HELLO/],
];

function encodeRaw(value: unknown): Buffer {
  const body = encoder.encode(value);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

for (const [name, bytes, message] of garbage) {
  test(`rejects ${name}`, (t) => {
    const { decoder, frames } = collect();
    t.throws(() => decoder.push(bytes), { instanceOf: FrameError, message });
    t.deepEqual(frames, []);
  });
}

test('a HELLO of another protocol version passes validation so that the handshake can name the version', (t) => {
  const { decoder, frames } = collect();
  decoder.push(encodeRaw([FrameType.HELLO, 99, 'whatever', 1, 2]));
  t.is(frames.length, 1);
});

test('random bytes never throw anything but a FrameError', (t) => {
  for (let round = 0; round < 2000; round++) {
    const { decoder } = collect(4096);
    const bytes = randomBytes(5 + (round % 300));
    if (round % 2 === 0) bytes.writeUInt32BE(Math.max(1, bytes.length - 4) % 4096, 0);
    try {
      decoder.push(bytes);
    } catch (error) {
      if (!(error instanceof FrameError)) t.fail(`round ${round}: ${String(error)} for ${bytes.toString('hex')}`);
    }
  }
  t.pass();
});
