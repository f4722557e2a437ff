/**
 * Which methods each registered path pattern accepts. uWS sends every request no route took to
 * the catch-all; this tells a wrong method on a known path (405 with `Allow`) from an unknown
 * path (404), which uWS itself does not.
 */
export class RouteMethods {
  readonly #routes: Array<{ readonly segments: readonly string[]; readonly methods: Set<string> }> = [];

  /** Records that `pattern` (uWS syntax: `:name` matches one segment) answers `method`. */
  add(method: string, pattern: string): void {
    const segments = pattern.split('/');
    const known = this.#routes.find((route) => route.segments.join('/') === segments.join('/'));
    if (known) known.methods.add(method.toUpperCase());
    else this.#routes.push({ segments, methods: new Set([method.toUpperCase()]) });
  }

  /** The methods some pattern matching `url` (a path, without the query) accepts, sorted; empty for an unknown path. */
  allowed(url: string): string[] {
    const segments = url.split('/');
    const methods = new Set<string>();
    for (const route of this.#routes) {
      if (matches(route.segments, segments)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

function matches(pattern: readonly string[], url: readonly string[]): boolean {
  if (pattern.length !== url.length) return false;
  return pattern.every((part, i) => (part.startsWith(':') ? url[i] !== '' : part === url[i]));
}
