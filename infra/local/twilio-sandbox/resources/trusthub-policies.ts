import type { SandboxContext } from '../core/context';
import type { BundleRecord, TrustItemRecord } from '../core/state';

/** The four policies of the ISV A2P flow (TWILIO.md §2.0), with the items and fields each requires. */
export const POLICY = {
  secondaryCustomerProfile: 'RNdfbf3fae0e1107f8aded0e7cead80bf5',
  a2pTrustProduct: 'RNb0d4771c2c98518d916a3d4cd70a8f8b',
  starterCustomerProfile: 'RN806dd6cd175f314e1f96a9727ee271f4',
  soleProprietorTrustProduct: 'RN670d5d2e282a6130ae063b234b6019c8',
  /** The ISV's own Primary Customer Profile policy (Console-only in real Twilio). */
  primaryCustomerProfile: 'RN7a97559effdf62d00f4298208492a5ea',
} as const;

type FieldCheck = 'text' | 'email' | 'phone' | 'url';

interface FieldRule {
  name: string;
  friendlyName: string;
  check: FieldCheck;
}

type Requirement =
  | { kind: 'end-user'; name: string; friendlyName: string; objectType: string; fields: FieldRule[] }
  | { kind: 'document'; name: string; friendlyName: string; objectType: string; fields: FieldRule[] }
  | { kind: 'bundle'; name: string; friendlyName: string; objectType: string; accepts: (bundle: BundleRecord, owner: BundleRecord, ctx: SandboxContext) => boolean };

const text = (name: string, friendlyName: string): FieldRule => ({ name, friendlyName, check: 'text' });
const phone = (name: string, friendlyName: string): FieldRule => ({ name, friendlyName, check: 'phone' });
const email = (name: string, friendlyName: string): FieldRule => ({ name, friendlyName, check: 'email' });
const url = (name: string, friendlyName: string): FieldRule => ({ name, friendlyName, check: 'url' });

const addressDocument: Requirement = {
  kind: 'document', name: 'business_address', friendlyName: 'Business Address', objectType: 'customer_profile_address', fields: [text('address_sids', 'Address')],
};

/** The primary profile must be the parent's (or the account's own) approved ISV profile. */
const primaryProfile: Requirement = {
  kind: 'bundle', name: 'primary_customer_profile', friendlyName: 'Primary Customer Profile', objectType: 'customer_profile',
  accepts: (candidate, owner, ctx) => {
    const ownerAccount = ctx.state.accounts.get(owner.accountSid);
    const related = candidate.accountSid === owner.accountSid || candidate.accountSid === ownerAccount?.parentSid;
    return related && candidate.policySid === POLICY.primaryCustomerProfile && candidate.status === 'twilio-approved';
  },
};

const customerProfileOf = (policySid: string, friendlyName: string): Requirement => ({
  kind: 'bundle', name: 'customer_profile', friendlyName, objectType: 'customer_profile',
  accepts: (candidate, owner) => candidate.accountSid === owner.accountSid && candidate.kind === 'customer-profile' && candidate.policySid === policySid,
});

export const POLICIES: Record<string, { friendlyName: string; requirements: Requirement[] }> = {
  [POLICY.secondaryCustomerProfile]: {
    friendlyName: 'Secondary Customer Profile of type Business',
    requirements: [
      {
        kind: 'end-user', name: 'business_information', friendlyName: 'Business Information', objectType: 'customer_profile_business_information',
        fields: [
          text('business_name', 'Business Name'), text('business_type', 'Business Type'), text('business_industry', 'Business Industry'),
          text('business_registration_identifier', 'Business Registration ID Type'), text('business_registration_number', 'Business Registration Number'),
          text('business_identity', 'Business Identity'), text('business_regions_of_operation', 'Business Regions of Operation'), url('website_url', 'Website URL'),
        ],
      },
      {
        kind: 'end-user', name: 'authorized_representative_1', friendlyName: 'Authorized Representative 1', objectType: 'authorized_representative_1',
        fields: [text('first_name', 'First Name'), text('last_name', 'Last Name'), email('email', 'Email'), phone('phone_number', 'Phone Number'), text('business_title', 'Business Title'), text('job_position', 'Job Position')],
      },
      addressDocument,
      primaryProfile,
    ],
  },
  [POLICY.a2pTrustProduct]: {
    friendlyName: 'A2P Messaging Profile',
    requirements: [
      { kind: 'end-user', name: 'a2p_messaging_profile_information', friendlyName: 'A2P Messaging Profile Information', objectType: 'us_a2p_messaging_profile_information', fields: [text('company_type', 'Company Type')] },
      customerProfileOf(POLICY.secondaryCustomerProfile, 'Secondary Customer Profile'),
    ],
  },
  [POLICY.starterCustomerProfile]: {
    friendlyName: 'Starter Customer Profile',
    requirements: [
      {
        kind: 'end-user', name: 'starter_customer_profile_information', friendlyName: 'Starter Customer Profile Information', objectType: 'starter_customer_profile_information',
        fields: [text('first_name', 'First Name'), text('last_name', 'Last Name'), email('email', 'Email'), phone('phone_number', 'Phone Number')],
      },
      addressDocument,
      primaryProfile,
    ],
  },
  [POLICY.soleProprietorTrustProduct]: {
    friendlyName: 'Sole Proprietor A2P Messaging Profile',
    requirements: [
      {
        kind: 'end-user', name: 'sole_proprietor_information', friendlyName: 'Sole Proprietor Information', objectType: 'sole_proprietor_information',
        fields: [text('brand_name', 'Brand Name'), text('vertical', 'Vertical'), phone('mobile_phone_number', 'Mobile Phone Number')],
      },
      customerProfileOf(POLICY.starterCustomerProfile, 'Starter Customer Profile'),
    ],
  },
  [POLICY.primaryCustomerProfile]: { friendlyName: 'Primary Customer Profile of type Business', requirements: [] },
};

export type EvaluationResult = Record<string, unknown>;

function fieldProblem(rule: FieldRule, value: unknown, ctx: SandboxContext, accountSid: string): { code: number; reason: string } | undefined {
  const present = value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '') && !(Array.isArray(value) && value.length === 0);
  if (!present) return { code: 22217, reason: `The ${rule.friendlyName} is missing. Please enter in a ${rule.friendlyName}.` };
  const textValue = Array.isArray(value) ? value.join(',') : String(value);
  if (rule.check === 'phone' && !/^\+[1-9]\d{6,14}$/.test(textValue)) return { code: 22218, reason: `The ${rule.friendlyName} is invalid. It must be in E.164 format.` };
  if (rule.check === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(textValue)) return { code: 22218, reason: `The ${rule.friendlyName} is not a valid email address.` };
  if (rule.check === 'url' && !/^https?:\/\/[^\s.]+\.[^\s]+$/.test(textValue)) return { code: 22218, reason: `The ${rule.friendlyName} is not a valid URL.` };
  if (rule.name === 'address_sids') {
    const unknown = textValue.split(',').map((s) => s.trim()).filter((sid) => ctx.state.addresses.get(sid)?.accountSid !== accountSid);
    if (unknown.length > 0) return { code: 22218, reason: `The Address ${unknown.join(', ')} does not exist in this account.` };
  }
  return undefined;
}

function evaluateItemRequirement(ctx: SandboxContext, bundle: BundleRecord, req: Extract<Requirement, { kind: 'end-user' | 'document' }>, items: TrustItemRecord[]): EvaluationResult {
  const base = { friendly_name: req.friendlyName, object_type: req.objectType, requirement_friendly_name: req.friendlyName, requirement_name: req.name };
  const item = items.find((i) => i.type === req.objectType && i.kind === (req.kind === 'end-user' ? 'end-user' : 'supporting-document'));
  if (!item) {
    return { ...base, passed: false, failure_reason: `A ${req.friendlyName} is missing. Please add one to the regulatory bundle.`, error_code: 22216, valid: [], invalid: [] };
  }
  const valid: unknown[] = [];
  const invalid: unknown[] = [];
  for (const rule of req.fields) {
    const problem = fieldProblem(rule, item.attributes[rule.name], ctx, bundle.accountSid);
    const entry = { friendly_name: rule.friendlyName, object_field: rule.name };
    if (problem) invalid.push({ ...entry, failure_reason: problem.reason, error_code: problem.code });
    else valid.push({ ...entry, value: item.attributes[rule.name] });
  }
  const passed = invalid.length === 0;
  return { ...base, passed, failure_reason: passed ? null : `The ${req.friendlyName} has invalid or missing fields.`, error_code: passed ? null : (invalid[0] as { error_code: number }).error_code, valid, invalid };
}

/** Checks a bundle's assigned items against a policy, the way TrustHub Evaluations report it. */
export function evaluateBundle(ctx: SandboxContext, bundle: BundleRecord, policySid: string): { status: 'compliant' | 'noncompliant'; results: EvaluationResult[] } {
  const policy = POLICIES[policySid];
  const assigned = [...ctx.state.entityAssignments.values()].filter((a) => a.bundleSid === bundle.sid).map((a) => a.objectSid);
  const items = assigned.map((sid) => ctx.state.trustItems.get(sid)).filter((i): i is TrustItemRecord => !!i);
  const bundles = assigned.map((sid) => ctx.state.bundles.get(sid)).filter((b): b is BundleRecord => !!b);
  const results: EvaluationResult[] = (policy?.requirements ?? []).map((req) => {
    if (req.kind !== 'bundle') return evaluateItemRequirement(ctx, bundle, req, items);
    const passed = bundles.some((b) => req.accepts(b, bundle, ctx));
    return {
      friendly_name: req.friendlyName, object_type: req.objectType, requirement_friendly_name: req.friendlyName, requirement_name: req.name, passed,
      failure_reason: passed ? null : `A ${req.friendlyName} is missing. Please add one to the regulatory bundle.`, error_code: passed ? null : 22216, valid: [], invalid: [],
    };
  });
  const forced = ctx.rules.decide('evaluation', bundle.accountSid, [bundle.friendlyName, ...items.map((i) => JSON.stringify(i.attributes))]);
  if (forced.outcome === 'fail') {
    const errors = forced.errors ?? [{ code: 22218, description: 'The Business Name does not match the registration records.', fields: ['business_name'] }];
    results.push({
      friendly_name: 'Business Information', object_type: 'customer_profile_business_information', requirement_friendly_name: 'Business Information', requirement_name: 'business_information',
      passed: false, failure_reason: errors[0]?.description ?? 'Invalid field', error_code: errors[0]?.code ?? 22218, valid: [],
      invalid: errors.flatMap((e) => (e.fields.length ? e.fields : ['business_name']).map((field) => ({ friendly_name: field, object_field: field, failure_reason: e.description, error_code: e.code }))),
    });
  }
  return { status: results.every((r) => r.passed) ? 'compliant' : 'noncompliant', results };
}

export function renderPolicy(sid: string): Record<string, unknown> | undefined {
  const policy = POLICIES[sid];
  if (!policy) return undefined;
  const section = (kind: 'end-user' | 'document' | 'bundle') =>
    policy.requirements.filter((r) => r.kind === kind).map((r) => ({
      name: r.friendlyName, type: r.objectType, requirement_name: r.name,
      fields: r.kind === 'bundle' ? [] : r.fields.map((f) => f.name),
    }));
  return {
    sid,
    friendly_name: policy.friendlyName,
    requirements: { end_user: section('end-user'), supporting_document: section('document'), customer_profile: section('bundle') },
    url: `https://trusthub.twilio.com/v1/Policies/${sid}`,
  };
}
