/** Where a broker transport's messages go, in the broker's own naming rules. */
export interface SubjectNaming {
  /** Heartbeats, BYE and broadcasts: every node subscribes. */
  readonly all: string;
  /** One node's inbox: link handshakes, `sendTo`, requests and replies. */
  inbox(nodeId: string): string;
  /** A transport subject (a Pusher channel) as a broker subject. */
  channel(subject: string): string;
}

/** Characters a NATS subject token may hold as they are; everything else is %-escaped. */
const NATS_SAFE = /^[A-Za-z0-9_\-=@,;:+#!~^$&'()[\]{}|]$/;

/**
 * One NATS subject token for an arbitrary string. NATS splits subjects on `.`, treats `*` and `>`
 * as wildcards and forbids whitespace, and Pusher channel names may contain `.` (and a transport
 * subject holds a control character between app id and channel). So every character outside a
 * safe set becomes `%XX` per UTF-8 byte, `%` included: the mapping is one-to-one and stays
 * readable in `nats sub` for ordinary channel names.
 */
export function natsToken(text: string): string {
  let token = '';
  for (const char of text) {
    if (NATS_SAFE.test(char)) token += char;
    else for (const byte of Buffer.from(char, 'utf8')) token += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token === '' ? '%' : token;
}

/** The inverse of {@link natsToken}, for logs and tests. */
export function fromNatsToken(token: string): string {
  if (token === '%') return '';
  return decodeURIComponent(token);
}

/** Checks `ADAPTER_NATS_PREFIX`: dot-separated tokens without wildcards or whitespace. */
export function natsPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const trimmed = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  if (/[\s*>]/.test(trimmed) || trimmed.split('.').some((token) => token === '')) {
    return 'expected dot-separated NATS subject tokens without spaces, "*" or ">"';
  }
  return undefined;
}

/** Subjects under `prefix` (soketi's `ADAPTER_NATS_PREFIX`): `<prefix>.meshpush.all`, `….node.<id>`, `….ch.<token>`. */
export function natsNaming(prefix: string): SubjectNaming {
  const root = prefix === '' ? 'meshpush' : `${prefix.endsWith('.') ? prefix.slice(0, -1) : prefix}.meshpush`;
  return {
    all: `${root}.all`,
    inbox: (nodeId) => `${root}.node.${natsToken(nodeId)}`,
    channel: (subject) => `${root}.ch.${natsToken(subject)}`,
  };
}

/** Redis channel names are binary-safe: `<prefix>meshpush:all`, `…:node:<id>`, `…:ch:<subject>`. */
export function redisNaming(prefix: string): SubjectNaming {
  const root = `${prefix}meshpush`;
  return {
    all: `${root}:all`,
    inbox: (nodeId) => `${root}:node:${nodeId}`,
    channel: (subject) => `${root}:ch:${subject}`,
  };
}
