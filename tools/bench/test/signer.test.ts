import test from 'ava';
import { hmacHex, signedQuery } from '../src/load/signer.js';

const DOCS_APP = { id: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };

test('signs the HTTP API example of PROTOCOL.md §3.6', (t) => {
  const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
  const query = signedQuery(DOCS_APP, 'post', '/apps/3/events', body, 1353088179);
  t.is(
    query,
    'auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f' +
      '&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c',
  );
});

test('signs the private channel vector of PROTOCOL.md §3.5', (t) => {
  t.is(
    hmacHex(DOCS_APP.secret, '1234.1234:private-foobar'),
    '58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
  );
});
