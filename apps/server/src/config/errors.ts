/**
 * A configuration problem the operator must fix. The CLI prints `message` as one line and exits
 * with code 1; nothing else in the binary exits on a bad setting.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A value that does not have the expected shape (a port that is not a number, bad JSON…). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** A well-formed value that names something meshpush does not do (yet); the message says why. */
export class UnsupportedValueError extends ValueError {
  override name = 'UnsupportedValueError';
  /** `true` when the feature is planned, `false` when it is intentionally left out. */
  readonly planned: boolean;

  constructor(message: string, planned: boolean) {
    super(message);
    this.planned = planned;
  }
}

/** A driver that the configuration names correctly but this build cannot construct. */
export class DriverUnavailableError extends Error {
  override name = 'DriverUnavailableError';
}

/** The closest candidate to a mistyped name, for "did you mean …?" hints. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** An error's message on one line, for the single stderr line the CLI prints before exiting. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
