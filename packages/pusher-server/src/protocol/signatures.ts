import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lowercase hex HMAC-SHA256, the signature of every Pusher auth token and REST call. */
export function hmacSha256Hex(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Still spend one comparison so a wrong length is not faster to find out.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Checks an `auth` token `"<key>:<hex signature>"` against the string the client signed.
 * The signed string must be built from the exact text the client sent, never re-serialised.
 */
export function verifyAuthToken(token: unknown, appKey: string, secret: string, signed: string): boolean {
  if (typeof token !== 'string') return false;
  const colon = token.indexOf(':');
  if (colon < 0) return false;
  const key = token.slice(0, colon);
  const signature = token.slice(colon + 1);
  if (!constantTimeEqual(key, appKey)) return false;
  return constantTimeEqual(signature, hmacSha256Hex(secret, signed));
}
