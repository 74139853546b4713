import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnboardingOptionsSchema } from '../../../shared/domain/onboarding';
import { contentFindings } from '../../../shared/services/registration/preflight';
import { validCustomer } from '../../support/fixtures';

describe('documented examples', () => {
  it('the README onboarding example is accepted by the onboarding options schema', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../../docs/examples/onboarding-standard.json'), 'utf8'));
    const parsed = OnboardingOptionsSchema.safeParse(example);
    expect(parsed.error?.issues).toBeUndefined();
  });

  it('passes the preflight for the sample customer without a finding, warnings included (the demo onboards it)', () => {
    const example = OnboardingOptionsSchema.parse(JSON.parse(readFileSync(join(__dirname, '../../../docs/examples/onboarding-standard.json'), 'utf8')));
    const customer = { ...validCustomer(), id: 'cus_1', status: 'active' as const, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(contentFindings(customer, example)).toEqual([]);
  });
});
