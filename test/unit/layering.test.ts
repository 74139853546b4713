import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/platform';

/** Every TypeScript file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('layering', () => {
  it('the service layer (shared/) imports nothing from the infrastructure folder', () => {
    const offenders = sources(join(PROJECT_ROOT, 'shared')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)]
        .map((m) => m[1]!)
        .filter((spec) => /(^|\/)infra\//.test(spec))
        .map((spec) => `${relative(PROJECT_ROOT, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
