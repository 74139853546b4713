import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export type KeyOperation = 'encrypt' | 'decrypt';

/**
 * The encryption-context keys every token operation must carry. They are the fields of the key
 * service's `EncryptionContext` (`shared/crypto/key-service.ts`): a data key wrapped for one
 * tenant cannot be unwrapped under another tenant's context.
 */
export const TOKEN_CONTEXT_KEYS = ['partnerId', 'customerId', 'accountSid'] as const;

/**
 * The context keys of a partner webhook signing secret (`WebhookSecretContext` in
 * `shared/partner-webhooks/contract.ts`): a key set of its own, so a grant for secrets never opens
 * a token and a grant for tokens never opens a secret (each grant's `ForAllValues` allows only its set).
 */
export const WEBHOOK_SECRET_CONTEXT_KEYS = ['purpose', 'partnerId', 'webhookEndpointId'] as const;
export const WEBHOOK_SECRET_PURPOSE = 'partner-webhook-secret';

/** Envelope encryption needs exactly one KMS call per direction: a fresh data key out, a wrapped key back. */
const ACTIONS: Record<KeyOperation, string> = { encrypt: 'kms:GenerateDataKey', decrypt: 'kms:Decrypt' };

export interface TokenKeyProps {
  readonly stage: string;
}

/** Customer-managed key that wraps the data keys protecting Twilio subaccount auth tokens. */
export class TokenKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: TokenKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Switchboard ${props.stage}: wraps data keys of Twilio subaccount tokens (tenant encryption context)`,
      enableKeyRotation: true,
      alias: `alias/switchboard/${props.stage}/tokens`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Grants only the operations asked for, and only with the tenant context present: the context may
   * hold no other keys (`ForAllValues`), and each of the three must be there (`StringLike '*'` fails
   * on an absent key). A call without context — the way to unwrap "anything" — is refused by IAM.
   */
  grantEnvelope(grantee: iam.IGrantable, operations: readonly KeyOperation[]): void {
    this.grantUnder(grantee, operations, TOKEN_CONTEXT_KEYS);
  }

  /** The same envelope operations for webhook signing secrets, only under their own context (purpose fixed). */
  grantWebhookSecrets(grantee: iam.IGrantable, operations: readonly KeyOperation[]): void {
    this.grantUnder(grantee, operations, WEBHOOK_SECRET_CONTEXT_KEYS, { purpose: WEBHOOK_SECRET_PURPOSE });
  }

  /** Exactly `keys` in the context, each present; `fixed` ones with the given value, the others with any. */
  private grantUnder(grantee: iam.IGrantable, operations: readonly KeyOperation[], keys: readonly string[], fixed: Record<string, string> = {}): void {
    if (operations.length === 0) return;
    const free = keys.filter((name) => !(name in fixed));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...new Set(operations.map((op) => ACTIONS[op]))],
        resources: [this.key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...keys] },
          ...(Object.keys(fixed).length ? { StringEquals: Object.fromEntries(Object.entries(fixed).map(([name, value]) => [`kms:EncryptionContext:${name}`, value])) } : {}),
          StringLike: Object.fromEntries(free.map((name) => [`kms:EncryptionContext:${name}`, '*'])),
        },
      }),
    );
  }
}
