/**
 * Polls `condition` until it returns a truthy value or `deadlineMs` passes; then throws with
 * `message` and the last value seen. Tests wait for conditions, never for fixed times.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  deadlineMs: number,
  message: string | (() => string),
  pollMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + deadlineMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await condition();
      if (last) return last as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const text = typeof message === 'function' ? message() : message;
  const detail = lastError === undefined ? `last value: ${JSON.stringify(last)}` : `last error: ${String(lastError)}`;
  throw new Error(`timed out after ${deadlineMs} ms: ${text} (${detail})`);
}
