import test from 'ava';
import { renderText } from '../src/metrics/exposition.js';
import { tlsFamilies } from '../src/metrics/tlsMetrics.js';

const client = { subject: 'CN=ws.example.com', validTo: '2030-01-02T00:00:00.000Z' };
const meshStatus = {
  driver: 'cluster',
  transport: {
    peers: [],
    tls: {
      certificate: { subject: 'CN=n1', validTo: '2031-01-01T00:00:00.000Z' },
      earliestExpiry: '2029-06-01T00:00:00.000Z',
    },
  },
};

test('no TLS, no TLS families', (t) => {
  t.deepEqual(tlsFamilies(undefined, { driver: 'local' }), []);
  t.deepEqual(tlsFamilies(undefined, { driver: 'cluster', transport: { peers: [], tls: null } }), []);
});

test('per-listener expiry as Unix seconds, and the earliest of them', (t) => {
  const text = renderText(tlsFamilies(client, meshStatus), 'meshpush_');
  t.regex(text, /# TYPE meshpush_tls_certificate_expiry_timestamp_seconds gauge/);
  t.regex(
    text,
    new RegExp(
      `meshpush_tls_certificate_expiry_timestamp_seconds\\{listener="client"\\} ${Date.parse(client.validTo) / 1000}\\n`,
    ),
  );
  t.regex(
    text,
    new RegExp(
      `meshpush_tls_certificate_expiry_timestamp_seconds\\{listener="mesh"\\} ${Date.parse('2029-06-01T00:00:00Z') / 1000}\\n`,
    ),
  );
  t.regex(
    text,
    new RegExp(
      `meshpush_tls_earliest_certificate_expiry_timestamp_seconds ${Date.parse('2029-06-01T00:00:00Z') / 1000}\\n`,
    ),
  );
});

test('client TLS alone', (t) => {
  const text = renderText(tlsFamilies(client, { driver: 'local' }), '');
  t.notRegex(text, /listener="mesh"/);
  t.regex(
    text,
    new RegExp(`tls_earliest_certificate_expiry_timestamp_seconds ${Date.parse(client.validTo) / 1000}\\n`),
  );
});
