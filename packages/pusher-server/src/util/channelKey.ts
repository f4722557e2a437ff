/** A character no app id or channel name can hold (channel names are `[A-Za-z0-9_\-=@,.;#]`). */
const SEPARATOR = '\u001f';

/**
 * A channel of an app as one string: the uWS topic of its local subscribers and the cluster
 * subject of its messages, so a message that arrives from a peer is fanned out under the key it
 * travelled with.
 */
export function channelKey(appId: string, channel: string): string {
  return `${appId}${SEPARATOR}${channel}`;
}

/** The app id and channel of a key, or undefined for a string that is not one. */
export function parseChannelKey(key: string): { appId: string; channel: string } | undefined {
  const at = key.indexOf(SEPARATOR);
  return at < 0 ? undefined : { appId: key.slice(0, at), channel: key.slice(at + 1) };
}
