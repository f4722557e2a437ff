import type { PresenceMember } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import type { PresenceSnapshot } from './frames.js';
import { field } from './ProtocolContext.js';

/** Pusher's limit on a user id's length. */
const MAX_USER_ID_LENGTH = 128;

/** A refused presence subscription, in the shape of a `pusher:subscription_error`. */
export interface PresenceRefusal {
  readonly type: string;
  readonly error: string;
  readonly status: number;
}

/**
 * Reads the member from the `channel_data` string the client sent (and signed), enforcing
 * the user id and `user_info` size rules. `user_id` may be a number, as in Pusher's docs.
 */
export function parsePresenceMember(channelData: unknown, app: App): PresenceMember | PresenceRefusal {
  if (typeof channelData !== 'string') return refusal('channel_data must be a JSON string for presence channels');
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return refusal('channel_data is not valid JSON');
  }
  const rawId = field(parsed, 'user_id');
  const userId = typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : rawId;
  if (typeof userId !== 'string' || userId.length === 0) return refusal('channel_data must contain a user_id');
  if (userId.length > MAX_USER_ID_LENGTH) return refusal(`user_id is longer than ${MAX_USER_ID_LENGTH} characters`);
  const userInfo = field(parsed, 'user_info') ?? {};
  const maxBytes = app.limits.maxPresenceMemberSizeKb * 1024;
  if (Buffer.byteLength(JSON.stringify(userInfo)) > maxBytes) {
    return refusal(`user_info is larger than ${app.limits.maxPresenceMemberSizeKb} KB`, 'LimitReached');
  }
  return { userId, userInfo };
}

export function isRefusal(value: PresenceMember | PresenceRefusal): value is PresenceRefusal {
  return 'error' in value;
}

/** The members list a presence subscriber receives with `subscription_succeeded`. */
export function presenceSnapshot(members: ReadonlyMap<string, unknown>): PresenceSnapshot {
  const hash: Record<string, unknown> = {};
  for (const [userId, info] of members) hash[userId] = info;
  return { ids: [...members.keys()], hash, count: members.size };
}

function refusal(error: string, type = 'InvalidPresenceData'): PresenceRefusal {
  return { type, error, status: 400 };
}
