import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ISecret } from 'kubernetes-models/v1/Secret';
// The option table itself, not the binary: meshpush leaves unknown unprefixed variables alone
// (they may belong to someone else), so only the table can tell a misspelt name from a setting.
import { settingOptions } from '../../../../apps/server/src/config/settingOptions.js';
import { sampleValue } from '../objects.js';

const OPTIONS = new Map(settingOptions.flatMap((option) => (option.env === undefined ? [] : [[option.env, option]])));

/**
 * Every variable set once, named as in meshpush's option table, with a value its parser accepts
 * (secrets with the example Secret's values, the pod IP with a sample).
 */
export function envProblems(entries: readonly IEnvVar[], secret: ISecret, where: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) problems.push(`${where}: ${entry.name} is set twice (Kubernetes keeps the last)`);
    seen.add(entry.name);
    const option = OPTIONS.get(entry.name);
    if (option === undefined) {
      problems.push(`${where}: ${entry.name} is not a meshpush option (apps/server/src/config/settingOptions.ts)`);
      continue;
    }
    const value = sampleValue(entry, secret);
    if (value === undefined) {
      problems.push(`${where}: ${entry.name} comes from a source these checks cannot resolve`);
      continue;
    }
    try {
      option.parse(value);
    } catch (error) {
      problems.push(`${where}: ${entry.name}=${option.secret ? '…' : value}: ${(error as Error).message}`);
    }
  }
  return problems;
}
