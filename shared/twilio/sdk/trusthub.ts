import type {
  EntityAssignment,
  Evaluation,
  EvaluationFinding,
  SubaccountCredentials,
  TrustBundle,
  TrustBundleKind,
  TrustBundleStatus,
  TrustHubItem,
  TwilioGateway,
} from '../gateway';
import type V1 from 'twilio/lib/rest/trusthub/V1';
import { CustomerProfilesListInstance } from 'twilio/lib/rest/trusthub/v1/customerProfiles';
import { EndUserListInstance } from 'twilio/lib/rest/trusthub/v1/endUser';
import { SupportingDocumentListInstance } from 'twilio/lib/rest/trusthub/v1/supportingDocument';
import { TrustProductsListInstance } from 'twilio/lib/rest/trusthub/v1/trustProducts';
import { sdkVersion, TWILIO_HOSTS, type SdkClient, type SdkContext } from './context';
import { date, defined, list, num, str } from './values';

export type TrustHubPort = Pick<
  TwilioGateway,
  | 'createTrustBundle'
  | 'fetchTrustBundle'
  | 'updateTrustBundleStatus'
  | 'createEndUser'
  | 'updateEndUser'
  | 'createSupportingDocument'
  | 'assignToTrustBundle'
  | 'evaluateTrustBundle'
>;

interface SdkBundle {
  sid: string;
  friendlyName: string;
  status: string;
  policySid?: string | null;
  errors?: unknown;
  validUntil?: Date | null;
}

function toBundle(kind: TrustBundleKind, b: SdkBundle): TrustBundle {
  return {
    sid: b.sid,
    kind,
    friendlyName: b.friendlyName,
    status: b.status as TrustBundleStatus,
    policySid: str(b.policySid),
    errors: list(b.errors),
    validUntil: date(b.validUntil),
  };
}

function toFinding(raw: unknown): EvaluationFinding {
  const r = (raw ?? {}) as Record<string, unknown>;
  return {
    requirement: str(r.requirement_friendly_name) ?? str(r.friendly_name),
    objectType: str(r.object_type),
    passed: r.passed === true,
    failureReason: str(r.failure_reason),
    errorCode: num(r.error_code),
    invalidFields: list(r.invalid).map((f) => {
      const field = (f ?? {}) as Record<string, unknown>;
      return {
        field: str(field.object_field) ?? '',
        friendlyName: str(field.friendly_name),
        failureReason: str(field.failure_reason),
        errorCode: num(field.error_code),
      };
    }),
  };
}

function toEvaluation(bundleSid: string, e: { sid: string; status: string; results?: unknown }): Evaluation {
  return { sid: e.sid, bundleSid, status: e.status as Evaluation['status'], results: list(e.results).map(toFinding) };
}

const v1 = sdkVersion<V1>(TWILIO_HOSTS.trusthub, 'v1');

/** The TrustHub resources the onboarding uses, named as on the SDK's own `trusthub.v1`. */
function trusthub(client: SdkClient) {
  const version = v1(client);
  return {
    customerProfiles: CustomerProfilesListInstance(version),
    trustProducts: TrustProductsListInstance(version),
    endUsers: EndUserListInstance(version),
    supportingDocuments: SupportingDocumentListInstance(version),
  };
}

/**
 * Customer profiles and trust products have the same lifecycle; the adapter picks the SDK
 * resource by kind so callers write the onboarding steps once.
 */
export function trusthubAdapter(ctx: SdkContext): TrustHubPort {
  const th = (creds: SubaccountCredentials) => trusthub(ctx.client(creds));

  return {
    async createTrustBundle(creds, kind, input) {
      const params = defined({ friendlyName: input.friendlyName, email: input.email, policySid: input.policySid, statusCallback: input.statusCallback });
      const created = kind === 'customer-profile' ? await th(creds).customerProfiles.create(params) : await th(creds).trustProducts.create(params);
      return toBundle(kind, created);
    },
    async fetchTrustBundle(creds, kind, bundleSid) {
      const fetched = kind === 'customer-profile' ? await th(creds).customerProfiles(bundleSid).fetch() : await th(creds).trustProducts(bundleSid).fetch();
      return toBundle(kind, fetched);
    },
    async updateTrustBundleStatus(creds, kind, bundleSid, status) {
      const updated =
        kind === 'customer-profile'
          ? await th(creds).customerProfiles(bundleSid).update({ status })
          : await th(creds).trustProducts(bundleSid).update({ status });
      return toBundle(kind, updated);
    },
    async createEndUser(creds, input): Promise<TrustHubItem> {
      const created = await th(creds).endUsers.create({ friendlyName: input.friendlyName, type: input.type, attributes: input.attributes });
      return { sid: created.sid, type: created.type };
    },
    async updateEndUser(creds, endUserSid, attributes): Promise<TrustHubItem> {
      const updated = await th(creds).endUsers(endUserSid).update({ attributes });
      return { sid: updated.sid, type: updated.type };
    },
    async createSupportingDocument(creds, input): Promise<TrustHubItem> {
      const created = await th(creds).supportingDocuments.create({ friendlyName: input.friendlyName, type: input.type, attributes: input.attributes });
      return { sid: created.sid, type: created.type, status: str(created.status) };
    },
    async assignToTrustBundle(creds, kind, bundleSid, objectSid): Promise<EntityAssignment> {
      const created =
        kind === 'customer-profile'
          ? await th(creds).customerProfiles(bundleSid).customerProfilesEntityAssignments.create({ objectSid })
          : await th(creds).trustProducts(bundleSid).trustProductsEntityAssignments.create({ objectSid });
      return { sid: created.sid, bundleSid, objectSid: created.objectSid };
    },
    async evaluateTrustBundle(creds, kind, bundleSid, policySid) {
      const created =
        kind === 'customer-profile'
          ? await th(creds).customerProfiles(bundleSid).customerProfilesEvaluations.create({ policySid })
          : await th(creds).trustProducts(bundleSid).trustProductsEvaluations.create({ policySid });
      return toEvaluation(bundleSid, created);
    },
  };
}
