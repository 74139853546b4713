import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnboardingOptionsSchema } from '../../../shared/domain/onboarding';

describe('documented examples', () => {
  it('the README onboarding example is accepted by the onboarding options schema', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../../docs/examples/onboarding-standard.json'), 'utf8'));
    const parsed = OnboardingOptionsSchema.safeParse(example);
    expect(parsed.error?.issues).toBeUndefined();
  });
});
