import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../../infra/local/platform';

/** Every TypeScript file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The `twilio…` module specifiers a file loads at run time (type-only imports are erased). */
function runtimeTwilioImports(source: string): string[] {
  const imports = [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(twilio[^']*)'/gm)].map((m) => m[1]!);
  const requires = [...source.matchAll(/require\('(twilio[^']*)'\)/g)].map((m) => m[1]!);
  return [...imports, ...requires];
}

/**
 * The SDK's root, its full client (`twilio/lib/rest/Twilio`), a domain (`twilio/lib/rest/Api`) or a
 * version class (`twilio/lib/rest/api/V2010`) each require every resource below them, ~3 MB in
 * each function that talks to Twilio. Only the base client and single resource modules may load.
 */
const ALLOWED = [/^twilio\/lib\/base\/[A-Za-z]+$/, /^twilio\/lib\/rest\/[a-z]+\/v\d+\/[a-z][A-Za-z/]*$/];

describe('Twilio SDK imports', () => {
  const files = sources(join(PROJECT_ROOT, 'shared'));

  it('load the base client and single resource modules only, never the full client or a whole domain or version', () => {
    const offenders = files.flatMap((file) =>
      runtimeTwilioImports(readFileSync(file, 'utf8'))
        .filter((spec) => !ALLOWED.some((allowed) => allowed.test(spec)))
        .map((spec) => `${relative(PROJECT_ROOT, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('are found by the scan (it is not vacuous)', () => {
    const all = files.flatMap((file) => runtimeTwilioImports(readFileSync(file, 'utf8')));
    expect(all).toEqual(expect.arrayContaining(['twilio/lib/base/BaseTwilio', 'twilio/lib/rest/api/v2010/account/message']));
    expect(runtimeTwilioImports("import Twilio from 'twilio/lib/rest/Twilio';\nimport type V1 from 'twilio/lib/rest/messaging/V1';")).toEqual(['twilio/lib/rest/Twilio']);
  });
});
