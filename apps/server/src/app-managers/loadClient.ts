import { DriverUnavailableError } from '../config/errors.js';

/**
 * Imports a database client only when its driver is chosen, so a server on the array manager
 * never loads one, and a trimmed install that lacks it gets a sentence instead of a stack trace.
 */
export async function loadClient<T>(specifier: string, driver: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new DriverUnavailableError(
        `APP_MANAGER_DRIVER=${driver} needs the "${specifier}" package, which is not installed (npm install ${specifier})`,
      );
    }
    throw error;
  }
}
