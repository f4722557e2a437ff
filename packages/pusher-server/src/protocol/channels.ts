/** The kinds of channel Pusher defines, by name prefix. */
export type ChannelType = 'public' | 'private' | 'presence' | 'private-encrypted' | 'server-to-user';

/** Prefix of the reserved channel a signed-in user's own events arrive on. */
export const SERVER_TO_USER_PREFIX = '#server-to-user-';

const VALID_CHANNEL_NAME = /^[A-Za-z0-9_\-=@,.;]+$/;

/** Classifies a channel by its prefix (cache channels are classified by their base type). */
export function channelType(name: string): ChannelType {
  if (name.startsWith(SERVER_TO_USER_PREFIX)) return 'server-to-user';
  const base =
    name.startsWith('private-cache-') || name.startsWith('presence-cache-') ? name.replace('-cache-', '-') : name;
  if (base.startsWith('private-encrypted-')) return 'private-encrypted';
  if (base.startsWith('private-')) return 'private';
  if (base.startsWith('presence-')) return 'presence';
  return 'public';
}

/** Cache channels keep their last event: `cache-`, `private-cache-`, `private-encrypted-cache-`, `presence-cache-`. */
export function isCacheChannel(name: string): boolean {
  return (
    name.startsWith('cache-') ||
    name.startsWith('private-cache-') ||
    name.startsWith('private-encrypted-cache-') ||
    name.startsWith('presence-cache-')
  );
}

/** Channels whose subscription needs a signature from the app's auth endpoint. */
export function requiresAuth(type: ChannelType): boolean {
  return type === 'private' || type === 'presence' || type === 'private-encrypted';
}

/** Client events are allowed on private and presence channels only (not on public ones). */
export function allowsClientEvents(type: ChannelType): boolean {
  return type === 'private' || type === 'presence' || type === 'private-encrypted';
}

/**
 * Why a channel name is refused, or `undefined` when it is valid. `#server-to-user-<id>` is
 * allowed here; whether *this* connection may use it is decided at subscribe time.
 */
export function channelNameProblem(name: unknown, maxLength: number): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'Channel name must be a non-empty string';
  if (name.length > maxLength) return `Channel name is longer than ${maxLength} characters`;
  const checked = name.startsWith(SERVER_TO_USER_PREFIX) ? name.slice(SERVER_TO_USER_PREFIX.length) : name;
  if (!VALID_CHANNEL_NAME.test(checked)) {
    return 'Channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;';
  }
  return undefined;
}

/** Why an event name is refused, or `undefined`. */
export function eventNameProblem(name: unknown, maxLength: number): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'Event name must be a non-empty string';
  if (name.length > maxLength) return `Event name is longer than ${maxLength} characters`;
  return undefined;
}
