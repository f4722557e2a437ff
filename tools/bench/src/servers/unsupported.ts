/**
 * meshpush refuses a setting it knows but does not implement yet with
 * `meshpush: error: X is not supported yet (…)` (or `X: "v" is not supported yet`). This turns
 * that line of a node's output into the bench's message, or undefined when the node failed for
 * another reason.
 */
export function unsupportedMessage(what: string, output: string): string | undefined {
  const line = output.split('\n').find((text) => /not supported/.test(text));
  if (line === undefined) return undefined;
  const detail = line.replace(/^.*?meshpush: error: /, '').trim();
  return `this build does not support ${what} (meshpush said: ${detail})`;
}

/** What a variant asks of meshpush, in the words of its settings. */
export function variantSettings(driver: string, tls: 'none' | 'client' | 'mesh'): string {
  const parts = driver === 'local' || driver === 'cluster' ? [] : [`ADAPTER_DRIVER=${driver}`];
  if (tls === 'client') parts.push('client TLS (SSL_CERT/SSL_KEY)');
  if (tls === 'mesh') parts.push('mesh TLS (CLUSTER_TLS_CERT/KEY/CA)');
  return parts.join(' with ') || `ADAPTER_DRIVER=${driver}`;
}
