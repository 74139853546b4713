import { customerFieldsFor, stepErrorsFromTwilio } from '../../domain/registration';
import type { Evaluation, TrustBundleKind } from '../../twilio/gateway';
import type { StepContext } from './context';
import { webhookUrl } from './context';
import type { StepError, StepOutcome } from './contract';

/**
 * The TrustHub building blocks shared by the customer-profile and trust-product steps. Each one
 * looks up the SID stored by an earlier run before creating, and stores the new SID at once.
 */

export const POLICIES = {
  secondaryCustomerProfile: 'RNdfbf3fae0e1107f8aded0e7cead80bf5',
  a2pTrustProduct: 'RNb0d4771c2c98518d916a3d4cd70a8f8b',
  starterCustomerProfile: 'RN806dd6cd175f314e1f96a9727ee271f4',
  soleProprietorTrustProduct: 'RN670d5d2e282a6130ae063b234b6019c8',
} as const;

/** Customer fields behind a whole missing TrustHub item (Twilio names no field then). */
const FIELDS_BY_OBJECT_TYPE: Record<string, string[]> = {
  customer_profile_business_information: ['legalName', 'businessType', 'industry', 'registration', 'website'],
  authorized_representative_1: ['contact'],
  customer_profile_address: ['address'],
  starter_customer_profile_information: ['contact'],
  us_a2p_messaging_profile_information: ['companyType'],
  sole_proprietor_information: ['displayName', 'industry', 'contact.phone'],
};

export async function ensureBundle(ctx: StepContext, kind: TrustBundleKind, sidKey: string, friendlyName: string, policySid: string): Promise<string> {
  const stored = ctx.record.sids[sidKey];
  if (stored) return stored;
  const bundle = await ctx.deps.twilio.createTrustBundle(await ctx.creds(), kind, {
    friendlyName,
    email: ctx.deps.settings.notificationEmail,
    policySid,
    statusCallback: await webhookUrl(ctx.deps.settings, 'trusthub'),
  });
  await ctx.saveSids({ [sidKey]: bundle.sid });
  return bundle.sid;
}

/** Creates the end user, or on a refresh run rewrites its attributes from the (fixed) customer. */
export async function ensureEndUser(ctx: StepContext, sidKey: string, type: string, attributes: Record<string, unknown>): Promise<string> {
  const stored = ctx.record.sids[sidKey];
  if (stored) {
    if (ctx.refresh) await ctx.deps.twilio.updateEndUser(await ctx.creds(), stored, attributes);
    return stored;
  }
  const item = await ctx.deps.twilio.createEndUser(await ctx.creds(), { friendlyName: type, type, attributes });
  await ctx.saveSids({ [sidKey]: item.sid });
  return item.sid;
}

/** Address (v2010, in the subaccount) and the `customer_profile_address` document pointing at it. */
export async function ensureAddressDocument(ctx: StepContext): Promise<string> {
  const { customer } = ctx;
  let addressSid = ctx.record.sids.addressSid;
  if (!addressSid) {
    const address = await ctx.deps.twilio.createAddress(await ctx.creds(), {
      customerName: customer.legalName,
      street: customer.address.street,
      streetSecondary: customer.address.streetSecondary,
      city: customer.address.city,
      region: customer.address.region,
      postalCode: customer.address.postalCode,
      isoCountry: customer.address.isoCountry,
    });
    addressSid = address.sid;
    await ctx.saveSids({ addressSid });
  }
  const stored = ctx.record.sids.addressDocumentSid;
  if (stored) return stored;
  const document = await ctx.deps.twilio.createSupportingDocument(await ctx.creds(), {
    friendlyName: 'customer_profile_address',
    type: 'customer_profile_address',
    attributes: { address_sids: addressSid },
  });
  await ctx.saveSids({ addressDocumentSid: document.sid });
  return document.sid;
}

/** Twilio refuses a second assignment of the same object, so each one is remembered. */
export async function ensureAssigned(ctx: StepContext, kind: TrustBundleKind, bundleSid: string, objectSid: string): Promise<void> {
  const key = `assigned:${bundleSid}:${objectSid}`;
  if (ctx.record.sids[key]) return;
  const assignment = await ctx.deps.twilio.assignToTrustBundle(await ctx.creds(), kind, bundleSid, objectSid);
  await ctx.saveSids({ [key]: assignment.sid });
}

export function evaluationErrors(evaluation: Evaluation): StepError[] {
  return evaluation.results
    .filter((r) => !r.passed)
    .flatMap((r): StepError[] => {
      if (r.invalidFields.length === 0) {
        return [{ code: r.errorCode ?? 'noncompliant', message: r.failureReason ?? `${r.requirement ?? 'An item'} is missing`, fields: FIELDS_BY_OBJECT_TYPE[r.objectType ?? ''] ?? [] }];
      }
      return r.invalidFields.map((f) => ({
        code: f.errorCode ?? r.errorCode ?? 'noncompliant',
        message: f.failureReason ?? r.failureReason ?? `${f.friendlyName ?? f.field} is invalid`,
        fields: customerFieldsFor([f.field]),
        twilioFields: [f.field],
      }));
    });
}

/**
 * Evaluation before submission: a noncompliant bundle is never submitted (a rejected review costs
 * days); Twilio's per-field findings go back to the partner. A bundle already under review or
 * approved is left alone. Twilio's guide does not wait for approval before the next step, so a
 * submitted bundle counts as done; a later rejection surfaces through `check`.
 */
export async function evaluateAndSubmit(ctx: StepContext, kind: TrustBundleKind, bundleSid: string, policySid: string, sids: Record<string, string>): Promise<StepOutcome> {
  const creds = await ctx.creds();
  const bundle = await ctx.deps.twilio.fetchTrustBundle(creds, kind, bundleSid);
  if (bundle.status !== 'draft' && bundle.status !== 'twilio-rejected') return checkBundleStatus(bundle.status, bundle.errors, sids);
  const evaluation = await ctx.deps.twilio.evaluateTrustBundle(creds, kind, bundleSid, policySid);
  if (evaluation.status === 'noncompliant') return { status: 'failed', errors: evaluationErrors(evaluation), sids };
  const submitted = await ctx.deps.twilio.updateTrustBundleStatus(creds, kind, bundleSid, 'pending-review');
  return checkBundleStatus(submitted.status, submitted.errors, sids);
}

export function checkBundleStatus(status: string, errors: unknown[], sids: Record<string, string>): StepOutcome {
  if (status === 'twilio-rejected') return { status: 'failed', errors: stepErrorsFromTwilio(errors, 'Twilio rejected the bundle'), sids };
  if (status === 'draft') return { status: 'failed', errors: [{ code: 'not-submitted', message: 'The bundle was never submitted; run the step again', fields: [] }], sids };
  return { status: 'succeeded', sids };
}

export async function checkBundle(ctx: StepContext, kind: TrustBundleKind, sidKey: string, sids: Record<string, string>): Promise<StepOutcome> {
  const bundleSid = ctx.record.sids[sidKey];
  if (!bundleSid) return { status: 'failed', errors: [{ code: 'not-started', message: 'The step has not run yet', fields: [] }], sids };
  const bundle = await ctx.deps.twilio.fetchTrustBundle(await ctx.creds(), kind, bundleSid);
  return checkBundleStatus(bundle.status, bundle.errors, sids);
}
