import type { ErrorBody } from './errors';

/** Where results and errors go; the CLI writes JSON so scripts can pipe it into `jq`. */
export interface Output {
  result(value: unknown): void;
  error(body: ErrorBody): void;
  /** Plain text for `--help`, the one output meant for people rather than scripts. */
  text(value: string): void;
}

export const stdioOutput: Output = {
  result: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  error: (body) => process.stderr.write(`${JSON.stringify(body, null, 2)}\n`),
  text: (value) => process.stdout.write(value.endsWith('\n') ? value : `${value}\n`),
};
