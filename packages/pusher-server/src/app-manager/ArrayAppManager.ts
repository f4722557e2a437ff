import type { ServerLimits } from '../config/ServerConfig.js';
import { resolveApp, type App, type AppConfig } from './App.js';
import type { AppManager } from './AppManager.js';

/** Apps from the configuration (soketi's `array` driver): indexed once, answered synchronously. */
export class ArrayAppManager implements AppManager {
  readonly #byKey = new Map<string, App>();
  readonly #byId = new Map<string, App>();

  constructor(apps: readonly AppConfig[], serverLimits: ServerLimits) {
    for (const config of apps) {
      const app = resolveApp(config, serverLimits);
      if (this.#byId.has(app.id)) throw new Error(`Two apps share the id "${app.id}"`);
      if (this.#byKey.has(app.key)) throw new Error(`Two apps share the key "${app.key}"`);
      this.#byId.set(app.id, app);
      this.#byKey.set(app.key, app);
    }
  }

  findByKey(key: string): App | undefined {
    return this.#byKey.get(key);
  }

  findById(id: string): App | undefined {
    return this.#byId.get(id);
  }

  /** Every app, in configuration order. */
  all(): App[] {
    return [...this.#byId.values()];
  }
}
