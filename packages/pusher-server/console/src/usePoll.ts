import { useEffect, useState } from 'preact/hooks';

/** Calls `load` now and every `intervalMs` while mounted; the latest value, or the latest error. */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): [T | undefined, string] {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const tick = (): void => {
      load().then(
        (next) => live && (setValue(next), setError('')),
        (failure: unknown) => live && setError(String(failure)),
      );
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, deps);
  return [value, error];
}
