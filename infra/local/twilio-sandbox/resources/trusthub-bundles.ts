import { invalidParameter } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { filtersOf, required, str } from '../core/params';
import { created, noContent, ok, route, type Route, type SandboxContext } from '../core/context';
import type { BundleKind, BundleRecord, BundleStatus, EntityAssignmentRecord, EvaluationRecord } from '../core/state';
import type { LifecycleStep } from '../core/rules';
import { hostUrl, ownedByCaller } from './v1-common';
import { TRUSTHUB_HOST } from './trusthub-items';
import { POLICIES, evaluateBundle } from './trusthub-policies';

/** What differs between CustomerProfiles and TrustProducts; everything else is shared. */
interface BundleFamily {
  kind: BundleKind;
  basePath: string;
  sidField: string;
  linkPrefix: string;
  step: LifecycleStep;
}

const FAMILIES: BundleFamily[] = [
  { kind: 'customer-profile', basePath: '/v1/CustomerProfiles', sidField: 'customer_profile_sid', linkPrefix: 'customer_profiles', step: 'customer-profile' },
  { kind: 'trust-product', basePath: '/v1/TrustProducts', sidField: 'trust_product_sid', linkPrefix: 'trust_products', step: 'trust-product' },
];

const familyOf = (kind: BundleKind): BundleFamily => FAMILIES.find((f) => f.kind === kind)!;

export function renderBundle(b: BundleRecord): Record<string, unknown> {
  const family = familyOf(b.kind);
  const url = hostUrl(TRUSTHUB_HOST, `${family.basePath}/${b.sid}`);
  return {
    sid: b.sid,
    account_sid: b.accountSid,
    policy_sid: b.policySid,
    friendly_name: b.friendlyName,
    status: b.status,
    valid_until: b.validUntil === null ? null : iso8601(b.validUntil),
    email: b.email,
    status_callback: b.statusCallback,
    date_created: iso8601(b.createdAt),
    date_updated: iso8601(b.updatedAt),
    url,
    links: {
      [`${family.linkPrefix}_entity_assignments`]: `${url}/EntityAssignments`,
      [`${family.linkPrefix}_evaluations`]: `${url}/Evaluations`,
      [`${family.linkPrefix}_channel_endpoint_assignment`]: `${url}/ChannelEndpointAssignments`,
    },
    errors: b.status === 'twilio-rejected' ? b.errors : null,
  };
}

export function createBundleRecord(ctx: SandboxContext, input: Omit<BundleRecord, 'sid' | 'createdAt' | 'updatedAt' | 'errors' | 'validUntil'>): BundleRecord {
  const now = ctx.clock.now();
  const bundle: BundleRecord = { ...input, sid: ctx.sids.next('BU'), errors: [], validUntil: null, createdAt: now, updatedAt: now };
  ctx.state.bundles.set(bundle.sid, bundle);
  return bundle;
}

/** The text scenario markers are read from: the bundle's name and every assigned item's attributes. */
export function bundleTexts(ctx: SandboxContext, bundle: BundleRecord): string[] {
  const assigned = [...ctx.state.entityAssignments.values()].filter((a) => a.bundleSid === bundle.sid).map((a) => a.objectSid);
  return [
    bundle.friendlyName,
    ...assigned.map((sid) => ctx.state.trustItems.get(sid)).filter(Boolean).map((i) => JSON.stringify(i!.attributes)),
    ...assigned.map((sid) => ctx.state.bundles.get(sid)).filter((b) => b && b.accountSid === bundle.accountSid).flatMap((b) => bundleTexts(ctx, b!)),
  ];
}

async function setStatus(ctx: SandboxContext, bundle: BundleRecord, status: BundleStatus): Promise<void> {
  bundle.status = status;
  bundle.updatedAt = ctx.clock.now();
  if (status === 'twilio-approved') bundle.validUntil = bundle.updatedAt + 365 * 24 * 3600 * 1000;
  if (!bundle.statusCallback) return;
  // The payload is undocumented; receivers are told to treat it as a trigger and re-fetch the bundle.
  const params: Record<string, string> = { AccountSid: bundle.accountSid, BundleSid: bundle.sid, Status: status };
  if (status === 'twilio-rejected' && bundle.errors[0]) params.FailureReason = String(bundle.errors[0].message ?? '');
  await ctx.webhooks.sendForm('trusthub', bundle.accountSid, bundle.statusCallback, params);
}

/** pending-review → in-review → twilio-approved | twilio-rejected, a review delay apart. */
async function submitForReview(ctx: SandboxContext, bundle: BundleRecord): Promise<void> {
  const family = familyOf(bundle.kind);
  const decision = ctx.rules.decide(family.step, bundle.accountSid, bundleTexts(ctx, bundle));
  bundle.errors = [];
  await setStatus(ctx, bundle, 'pending-review');
  scheduleReview(ctx, bundle, decision, 'pending-review');
}

/** After a restart: a bundle still under review continues from where it stood. */
export function resumeBundle(ctx: SandboxContext, bundle: BundleRecord): void {
  if (bundle.status !== 'pending-review' && bundle.status !== 'in-review') return;
  scheduleReview(ctx, bundle, ctx.rules.decide(familyOf(bundle.kind).step, bundle.accountSid, bundleTexts(ctx, bundle)), bundle.status);
}

function scheduleReview(ctx: SandboxContext, bundle: BundleRecord, decision: ReturnType<SandboxContext['rules']['decide']>, from: 'pending-review' | 'in-review'): void {
  if (decision.outcome === 'stall') return;
  const decide = () =>
    ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `${bundle.kind} ${bundle.sid} → decided`, async () => {
      const evaluation = evaluateBundle(ctx, bundle, bundle.policySid);
      if (decision.outcome === 'fail') {
        const errors = decision.errors ?? [{ code: 22218, description: 'The business information could not be verified.', fields: ['business_name'] }];
        bundle.errors = errors.map((e) => ({ code: e.code, message: e.description, fields: e.fields }));
      } else if (evaluation.status === 'noncompliant') {
        bundle.errors = evaluation.results
          .filter((r) => !r.passed)
          .map((r) => ({ code: r.error_code, message: r.failure_reason, fields: ((r.invalid as Array<{ object_field: string }>) ?? []).map((i) => i.object_field) }));
      }
      await setStatus(ctx, bundle, bundle.errors.length > 0 ? 'twilio-rejected' : 'twilio-approved');
    });
  if (from === 'in-review') return void decide();
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `${bundle.kind} ${bundle.sid} → in-review`, async () => {
    await setStatus(ctx, bundle, 'in-review');
    decide();
  });
}

function assignmentSidOk(ctx: SandboxContext, bundle: BundleRecord, objectSid: string): boolean {
  const item = ctx.state.trustItems.get(objectSid);
  if (item) return item.accountSid === bundle.accountSid;
  const other = ctx.state.bundles.get(objectSid);
  if (!other || other.sid === bundle.sid) return false;
  // The parent's Primary profile is the one foreign bundle a secondary profile may reference.
  const parentSid = ctx.state.accounts.get(bundle.accountSid)?.parentSid;
  return other.accountSid === bundle.accountSid || other.accountSid === parentSid;
}

function familyRoutes(family: BundleFamily): Route[] {
  const { basePath, sidField } = family;
  const find = (map: Map<string, BundleRecord>, sid: string | undefined, req: Parameters<typeof ownedByCaller>[2]) => {
    const bundle = ownedByCaller(map, sid, req);
    if (bundle.kind !== family.kind) return ownedByCaller(new Map(), sid, req);
    return bundle;
  };
  const renderAssignment = (a: EntityAssignmentRecord) => ({
    sid: a.sid, [sidField]: a.bundleSid, account_sid: a.accountSid, object_sid: a.objectSid, date_created: iso8601(a.createdAt),
    url: hostUrl(TRUSTHUB_HOST, `${basePath}/${a.bundleSid}/EntityAssignments/${a.sid}`),
  });
  const renderEvaluation = (e: EvaluationRecord) => ({
    sid: e.sid, account_sid: e.accountSid, policy_sid: e.policySid, [sidField]: e.bundleSid, status: e.status, results: e.results, date_created: iso8601(e.createdAt),
    url: hostUrl(TRUSTHUB_HOST, `${basePath}/${e.bundleSid}/Evaluations/${e.sid}`),
  });
  return [
    route('POST', TRUSTHUB_HOST, basePath, (req, ctx) => {
      const friendlyName = required(req.params, 'FriendlyName');
      const email = required(req.params, 'Email');
      const policySid = required(req.params, 'PolicySid');
      if (!POLICIES[policySid]) throw invalidParameter('PolicySid', `${policySid} is not a known policy`);
      const bundle = createBundleRecord(ctx, {
        kind: family.kind, accountSid: req.account.sid, policySid, friendlyName, email, statusCallback: str(req.params, 'StatusCallback') ?? null, status: 'draft',
      });
      return created(renderBundle(bundle));
    }),
    route('GET', TRUSTHUB_HOST, basePath, (req, ctx) => {
      const status = str(req.params, 'Status');
      const friendlyName = str(req.params, 'FriendlyName');
      const policySid = str(req.params, 'PolicySid');
      const items = ctx.state
        .ownedBy(ctx.state.bundles, req.account.sid)
        .filter((b) => b.kind === family.kind && (!status || b.status === status) && (!friendlyName || b.friendlyName === friendlyName) && (!policySid || b.policySid === policySid))
        .map(renderBundle);
      return ok(metaPage('results', hostUrl(TRUSTHUB_HOST, basePath), items, pageOf(req.params), filtersOf(req.params, ['Status', 'FriendlyName', 'PolicySid'])));
    }),
    route('GET', TRUSTHUB_HOST, `${basePath}/{Sid}`, (req, ctx) => ok(renderBundle(find(ctx.state.bundles, req.pathParams.Sid, req)))),
    route('POST', TRUSTHUB_HOST, `${basePath}/{Sid}`, async (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.Sid, req);
      bundle.friendlyName = str(req.params, 'FriendlyName') ?? bundle.friendlyName;
      bundle.email = str(req.params, 'Email') ?? bundle.email;
      bundle.statusCallback = str(req.params, 'StatusCallback') ?? bundle.statusCallback;
      bundle.updatedAt = ctx.clock.now();
      const status = str(req.params, 'Status');
      if (status !== undefined) {
        if (status !== 'pending-review') throw invalidParameter('Status', "only 'pending-review' can be requested");
        if (bundle.status !== 'draft' && bundle.status !== 'twilio-rejected') {
          throw invalidParameter('Status', `bundle ${bundle.sid} is ${bundle.status} and cannot be submitted for review`);
        }
        await submitForReview(ctx, bundle);
      }
      return ok(renderBundle(bundle));
    }),
    route('DELETE', TRUSTHUB_HOST, `${basePath}/{Sid}`, (req, ctx) => {
      ctx.state.bundles.delete(find(ctx.state.bundles, req.pathParams.Sid, req).sid);
      return noContent();
    }),
    route('POST', TRUSTHUB_HOST, `${basePath}/{BundleSid}/EntityAssignments`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const objectSid = required(req.params, 'ObjectSid');
      if (!assignmentSidOk(ctx, bundle, objectSid)) throw invalidParameter('ObjectSid', `${objectSid} was not found in this account`);
      const existing = [...ctx.state.entityAssignments.values()].find((a) => a.bundleSid === bundle.sid && a.objectSid === objectSid);
      if (existing) throw invalidParameter('ObjectSid', `${objectSid} is already assigned to ${bundle.sid}`);
      const assignment: EntityAssignmentRecord = { sid: ctx.sids.next('BV'), bundleSid: bundle.sid, accountSid: bundle.accountSid, objectSid, createdAt: ctx.clock.now() };
      ctx.state.entityAssignments.set(assignment.sid, assignment);
      return created(renderAssignment(assignment));
    }),
    route('GET', TRUSTHUB_HOST, `${basePath}/{BundleSid}/EntityAssignments`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const items = [...ctx.state.entityAssignments.values()].filter((a) => a.bundleSid === bundle.sid).map(renderAssignment);
      return ok(metaPage('results', hostUrl(TRUSTHUB_HOST, `${basePath}/${bundle.sid}/EntityAssignments`), items, pageOf(req.params)));
    }),
    route('GET', TRUSTHUB_HOST, `${basePath}/{BundleSid}/EntityAssignments/{Sid}`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const assignment = ownedByCaller(ctx.state.entityAssignments, req.pathParams.Sid, req);
      if (assignment.bundleSid !== bundle.sid) return ownedByCaller(new Map(), undefined, req);
      return ok(renderAssignment(assignment));
    }),
    route('DELETE', TRUSTHUB_HOST, `${basePath}/{BundleSid}/EntityAssignments/{Sid}`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const assignment = ownedByCaller(ctx.state.entityAssignments, req.pathParams.Sid, req);
      if (assignment.bundleSid !== bundle.sid) return ownedByCaller(new Map(), undefined, req);
      ctx.state.entityAssignments.delete(assignment.sid);
      return noContent();
    }),
    route('POST', TRUSTHUB_HOST, `${basePath}/{BundleSid}/Evaluations`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const policySid = required(req.params, 'PolicySid');
      if (!POLICIES[policySid]) throw invalidParameter('PolicySid', `${policySid} is not a known policy`);
      const outcome = evaluateBundle(ctx, bundle, policySid);
      const evaluation: EvaluationRecord = { sid: ctx.sids.next('EL'), bundleSid: bundle.sid, accountSid: bundle.accountSid, policySid, ...outcome, createdAt: ctx.clock.now() };
      ctx.state.evaluations.set(evaluation.sid, evaluation);
      return created(renderEvaluation(evaluation));
    }),
    route('GET', TRUSTHUB_HOST, `${basePath}/{BundleSid}/Evaluations`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const items = [...ctx.state.evaluations.values()].filter((e) => e.bundleSid === bundle.sid).map(renderEvaluation);
      return ok(metaPage('results', hostUrl(TRUSTHUB_HOST, `${basePath}/${bundle.sid}/Evaluations`), items, pageOf(req.params)));
    }),
    route('GET', TRUSTHUB_HOST, `${basePath}/{BundleSid}/Evaluations/{Sid}`, (req, ctx) => {
      const bundle = find(ctx.state.bundles, req.pathParams.BundleSid, req);
      const evaluation = ownedByCaller(ctx.state.evaluations, req.pathParams.Sid, req);
      if (evaluation.bundleSid !== bundle.sid) return ownedByCaller(new Map(), undefined, req);
      return ok(renderEvaluation(evaluation));
    }),
  ];
}

export const bundleRoutes: Route[] = FAMILIES.flatMap(familyRoutes);
