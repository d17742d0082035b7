/**
 * What every command gets: the global options, the secret store, and an output helper that
 * prints JSON (--json) or text. Commands throw SimdmError for anything the user should read;
 * main.ts turns it into one line on stderr and a non-zero exit, never a stack trace.
 */
import { jsonReplacer } from '../util/json.js';
import { SecretStore } from '../util/secrets.js';

export { jsonReplacer };

export interface GlobalArgs {
  json?: boolean;
  trace?: boolean;
  reader?: string;
  keys?: string;
  force?: boolean;
}

export function secretsFor(argv: GlobalArgs): SecretStore {
  return new SecretStore(process.env, argv.keys);
}

/** Prints `value` as JSON when --json, else the text `render` produces (or JSON if none). */
export function output(argv: GlobalArgs, value: unknown, render?: (v: never) => string): void {
  if (argv.json || !render) {
    process.stdout.write(JSON.stringify(value, jsonReplacer, 2) + '\n');
  } else {
    const text = render(value as never);
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}
