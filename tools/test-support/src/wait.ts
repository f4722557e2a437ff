/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** What was awaited, for the error on timeout. @default 'condition' */
  message?: string;
  /** @default 20 */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value (returned) or the deadline passes (throws
 * with `message` and the last error the condition threw, if any). Never a fixed sleep.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 5000, message = 'condition', intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
