import test from 'ava';
import { createHmac } from 'node:crypto';
import {
  md5Hex,
  parseQueryString,
  stringToSign,
  verifyRequestSignature,
  type QueryParam,
  type SignedRequest,
} from '../src/http/requestSigning.js';
import { loadPusherSdk, signedQuery } from './http-support.js';

// The worked example of Pusher's rest-api.md (PROTOCOL.md §3.6).
const DOC_KEY = '278d425bdf160c739803';
const DOC_SECRET = '7ad3773142a6692b25b8';
const DOC_TIMESTAMP = 1353088179;
const DOC_BODY = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
const DOC_QUERY =
  'auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f';
const DOC_SIGNATURE = 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';
const DOC_APP = { key: DOC_KEY, secret: DOC_SECRET };

function request(rawQuery: string, overrides: Partial<SignedRequest> = {}): SignedRequest {
  const params = parseQueryString(rawQuery);
  if (params === undefined) throw new Error(`unparsable query ${rawQuery}`);
  return { method: 'POST', path: '/apps/3/events', params, body: Buffer.from(DOC_BODY), ...overrides };
}

function reasonOf(verdict: ReturnType<typeof verifyRequestSignature>): string {
  return verdict.valid ? 'valid' : verdict.reason;
}

test('the worked example: body_md5, string to sign and signature match the docs', (t) => {
  t.is(md5Hex(Buffer.from(DOC_BODY)), 'ec365a775a4cd0599faeb73354201b6f');
  const params = parseQueryString(DOC_QUERY) ?? [];
  t.is(stringToSign('post', '/apps/3/events', params), `POST\n/apps/3/events\n${DOC_QUERY}`);
  const signed = request(`${DOC_QUERY}&auth_signature=${DOC_SIGNATURE}`);
  t.deepEqual(verifyRequestSignature(signed, DOC_APP, DOC_TIMESTAMP * 1000), { valid: true });
});

test('the worked example fails with a changed body, path, method or signature', (t) => {
  const now = DOC_TIMESTAMP * 1000;
  const good = `${DOC_QUERY}&auth_signature=${DOC_SIGNATURE}`;
  t.is(
    reasonOf(verifyRequestSignature(request(good, { body: Buffer.from('{}') }), DOC_APP, now)),
    'body_md5 does not match the body',
  );
  t.is(
    reasonOf(verifyRequestSignature(request(good, { path: '/apps/4/events' }), DOC_APP, now)),
    'Invalid auth_signature',
  );
  t.is(reasonOf(verifyRequestSignature(request(good, { method: 'GET' }), DOC_APP, now)), 'Invalid auth_signature');
  const flipped = good.slice(0, -1) + (good.endsWith('c') ? 'd' : 'c');
  t.is(reasonOf(verifyRequestSignature(request(flipped), DOC_APP, now)), 'Invalid auth_signature');
});

test('keys are lowercased and sorted, auth_signature is left out, values are not re-escaped', (t) => {
  const params: QueryParam[] = [
    { key: 'Name', value: 'Something else' },
    { key: 'auth_signature', value: 'ignored' },
    { key: 'auth_key', value: 'foo' },
    { key: 'B', value: 'a&b=c' },
  ];
  t.is(stringToSign('get', '/x', params), 'GET\n/x\nauth_key=foo&b=a&b=c&name=Something else');
});

test('query parsing decodes %-escapes but keeps + as +', (t) => {
  t.deepEqual(parseQueryString('a=1+2&b=%2B&c=x%20y&d&&e='), [
    { key: 'a', value: '1+2' },
    { key: 'b', value: '+' },
    { key: 'c', value: 'x y' },
    { key: 'd', value: '' },
    { key: 'e', value: '' },
  ]);
  t.is(parseQueryString('a=%E0%A4%A'), undefined);
});

test('a value with + verifies when the client signed the +', (t) => {
  const now = 1_700_000_000_000;
  const query = signedQuery({
    method: 'GET',
    path: '/apps/3/channels',
    key: DOC_KEY,
    secret: DOC_SECRET,
    timestampSec: now / 1000,
    params: { filter_by_prefix: 'a+b' },
  });
  t.true(query.includes('filter_by_prefix=a+b'));
  const verdict = verifyRequestSignature(
    request(query, { method: 'GET', path: '/apps/3/channels', body: Buffer.alloc(0) }),
    DOC_APP,
    now,
  );
  t.deepEqual(verdict, { valid: true });
});

test('auth_timestamp must be within 600 s of the server clock, either way', (t) => {
  const signedAt = (offsetSec: number) => {
    const query = signedQuery({
      method: 'POST',
      path: '/apps/3/events',
      key: DOC_KEY,
      secret: DOC_SECRET,
      timestampSec: DOC_TIMESTAMP + offsetSec,
      body: DOC_BODY,
    });
    return reasonOf(verifyRequestSignature(request(query), DOC_APP, DOC_TIMESTAMP * 1000));
  };
  t.is(signedAt(0), 'valid');
  t.is(signedAt(-600), 'valid');
  t.is(signedAt(600), 'valid');
  t.regex(signedAt(-601), /expired/);
  t.regex(signedAt(601), /ahead of the server clock/);
});

test('malformed or missing auth parameters are refused with a reason', (t) => {
  const now = DOC_TIMESTAMP * 1000;
  const cases: Array<[string, RegExp]> = [
    [DOC_QUERY.replace(DOC_KEY, 'other-key'), /auth_key does not match/],
    [DOC_QUERY.replace(`auth_key=${DOC_KEY}&`, ''), /Missing auth_key/],
    [DOC_QUERY.replace('auth_timestamp=1353088179', 'auth_timestamp=soon'), /Unix time/],
    [DOC_QUERY.replace('auth_version=1.0', 'auth_version=2.0'), /auth_version must be 1.0/],
    [DOC_QUERY.replace(/&body_md5=[0-9a-f]+/, ''), /Missing body_md5/],
    [DOC_QUERY, /Missing auth_signature/],
  ];
  for (const [query, reason] of cases) {
    t.regex(reasonOf(verifyRequestSignature(request(query), DOC_APP, now)), reason, query);
  }
});

test('a wrong secret gives an invalid signature', (t) => {
  const query = `${DOC_QUERY}&auth_signature=${DOC_SIGNATURE}`;
  const verdict = verifyRequestSignature(
    request(query),
    { key: DOC_KEY, secret: 'not-the-secret' },
    DOC_TIMESTAMP * 1000,
  );
  t.is(reasonOf(verdict), 'Invalid auth_signature');
});

test('an empty body needs no body_md5, but a body_md5 that is sent must match', (t) => {
  const now = DOC_TIMESTAMP * 1000;
  const get = { method: 'GET', path: '/apps/3/channels', body: Buffer.alloc(0) } as const;
  const signing = { method: get.method, path: get.path, key: DOC_KEY, secret: DOC_SECRET, timestampSec: DOC_TIMESTAMP };
  const plain = signedQuery(signing);
  t.deepEqual(verifyRequestSignature(request(plain, get), DOC_APP, now), { valid: true });
  const withMd5 = signedQuery({ ...signing, params: { body_md5: md5Hex(Buffer.from('x')) } });
  t.is(reasonOf(verifyRequestSignature(request(withMd5, get), DOC_APP, now)), 'body_md5 does not match the body');
});

test('a client that signed the unescaped path is accepted when its HTTP client escaped it', (t) => {
  const now = DOC_TIMESTAMP * 1000;
  const signedPath = '/apps/3/users/ann smith/terminate_connections';
  const query = signedQuery({
    method: 'POST',
    path: signedPath,
    key: DOC_KEY,
    secret: DOC_SECRET,
    timestampSec: DOC_TIMESTAMP,
    body: '{}',
  });
  const received = request(query, { path: '/apps/3/users/ann%20smith/terminate_connections', body: Buffer.from('{}') });
  t.deepEqual(verifyRequestSignature(received, DOC_APP, now), { valid: true });
});

test('query strings made by the real pusher SDK verify', (t) => {
  const Pusher = loadPusherSdk();
  const pusher = new Pusher({ appId: '3', key: DOC_KEY, secret: DOC_SECRET });
  const body = JSON.stringify({ name: 'e', channels: ['a', 'b'], data: '{"x":"1+1 = 2"}' });
  const postQuery = pusher.createSignedQueryString({ method: 'POST', path: '/apps/3/events', body });
  const post = request(postQuery, { body: Buffer.from(body) });
  t.deepEqual(verifyRequestSignature(post, DOC_APP, Date.now()), { valid: true });

  const getQuery = pusher.createSignedQueryString({
    method: 'GET',
    path: '/apps/3/channels',
    params: { filter_by_prefix: 'presence-', info: 'user_count,subscription_count' },
  });
  const get = request(getQuery, { method: 'GET', path: '/apps/3/channels', body: Buffer.alloc(0) });
  t.deepEqual(verifyRequestSignature(get, DOC_APP, Date.now()), { valid: true });
  t.is(reasonOf(verifyRequestSignature(get, DOC_APP, Date.now() + 601_000)).slice(0, 22), 'auth_timestamp expired');
});

test('the SDK signature equals an HMAC computed by hand', (t) => {
  const Pusher = loadPusherSdk();
  const pusher = new Pusher({ appId: '3', key: DOC_KEY, secret: DOC_SECRET });
  const query = pusher.createSignedQueryString({ method: 'GET', path: '/apps/3/channels' });
  const [unsigned, signature] = query.split('&auth_signature=');
  const expected = createHmac('sha256', DOC_SECRET).update(`GET\n/apps/3/channels\n${unsigned}`).digest('hex');
  t.is(signature, expected);
});
