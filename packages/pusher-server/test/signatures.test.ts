import test from 'ava';
import { channelNameProblem, channelType, isCacheChannel } from '../src/protocol/channels.js';
import { constantTimeEqual, hmacSha256Hex, verifyAuthToken } from '../src/protocol/signatures.js';

// Pusher's documented test vectors (PROTOCOL.md §3.5), recomputed independently.
const key = '278d425bdf160c739803';
const secret = '7ad3773142a6692b25b8';

test('private channel signature matches the documented vector', (t) => {
  t.is(
    hmacSha256Hex(secret, '1234.1234:private-foobar'),
    '58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
  );
});

test('user sign-in signature matches the documented vector', (t) => {
  t.is(
    hmacSha256Hex(secret, '1234.1234::user::{"id":"12345"}'),
    '4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba',
  );
});

test('presence signature is over the exact channel_data string (corrected docs vector)', (t) => {
  const channelData = '{"user_id":10,"user_info":{"name":"Mr. Channels"}}';
  const signed = `1234.1234:presence-foobar:${channelData}`;
  t.is(hmacSha256Hex(secret, signed), '31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80');
  const token = `${key}:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80`;
  t.true(verifyAuthToken(token, key, secret, signed));
  t.false(
    verifyAuthToken(token, key, secret, signed.replace('Channels', 'Pusher')),
    're-serialised data must not verify',
  );
});

test('auth tokens with another key, no colon or a non-string are refused', (t) => {
  const signed = '1234.1234:private-foobar';
  const sig = hmacSha256Hex(secret, signed);
  t.false(verifyAuthToken(`other:${sig}`, key, secret, signed));
  t.false(verifyAuthToken(sig, key, secret, signed));
  t.false(verifyAuthToken(42, key, secret, signed));
  t.false(constantTimeEqual('abc', 'abcd'));
  t.true(constantTimeEqual('abc', 'abc'));
});

test('channel names: charset, length, reserved # prefix, types', (t) => {
  t.is(channelNameProblem('private-a_b-c=d@e,f.g;h', 200), undefined);
  t.truthy(channelNameProblem('has space', 200));
  t.truthy(channelNameProblem('x'.repeat(201), 200));
  t.truthy(channelNameProblem('', 200));
  t.truthy(channelNameProblem('#other', 200));
  t.is(channelNameProblem('#server-to-user-u1', 200), undefined);
  t.is(channelType('private-encrypted-x'), 'private-encrypted');
  t.is(channelType('presence-cache-x'), 'presence');
  t.is(channelType('private-cache-x'), 'private');
  t.is(channelType('#server-to-user-1'), 'server-to-user');
  t.true(isCacheChannel('private-encrypted-cache-x'));
  t.false(isCacheChannel('public'));
});
