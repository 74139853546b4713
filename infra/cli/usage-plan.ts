import {
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  UpdateApiKeyCommand,
  type APIGatewayClient,
  type ApiKey as GatewayApiKey,
} from '@aws-sdk/client-api-gateway';
import type { Partner } from '../../shared/domain/partner';

/** What the operator sees of a partner's API Gateway key: never its value. */
export interface GatewayKey {
  apiKeyId: string;
  usagePlanId: string;
  enabled: boolean;
}

/**
 * Per-partner throttling in a deployed stack. The authorizer answers `usageIdentifierKey = partnerId`,
 * so API Gateway meters a partner against the API key whose *value* is the partner id; that key
 * must exist, be enabled and belong to the usage plan, or every call of the partner gets a 403.
 */
export interface UsagePlanPort {
  /** Gives the partner an enabled key in the plan, creating or repairing whatever is missing. Safe to repeat. */
  admit(partner: Partner): Promise<GatewayKey>;
  /** Disables the partner's key; `undefined` when it has none (API Gateway refuses it already). */
  suspend(partnerId: string): Promise<GatewayKey | undefined>;
}

export function apiGatewayUsagePlan(client: APIGatewayClient, usagePlanId: string): UsagePlanPort {
  /** Keys are named after the partner id (ULIDs are unique, so the name is too); the name query is a prefix match. */
  async function findKey(partnerId: string): Promise<GatewayApiKey | undefined> {
    let position: string | undefined;
    do {
      const page = await client.send(new GetApiKeysCommand({ nameQuery: partnerId, includeValues: false, position }));
      const match = page.items?.find((key) => key.name === partnerId);
      if (match) return match;
      position = page.position;
    } while (position);
    return undefined;
  }

  async function setEnabled(apiKeyId: string, enabled: boolean): Promise<void> {
    await client.send(
      new UpdateApiKeyCommand({ apiKey: apiKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }] }),
    );
  }

  return {
    async admit(partner) {
      const existing = await findKey(partner.id);
      let apiKeyId: string;
      if (existing?.id) {
        apiKeyId = existing.id;
        if (!existing.enabled) await setEnabled(apiKeyId, true);
      } else {
        const created = await client.send(
          new CreateApiKeyCommand({
            name: partner.id,
            value: partner.id,
            enabled: true,
            description: `Switchboard partner ${partner.name}`,
          }),
        );
        if (!created.id) throw new Error(`API Gateway returned no id for the key of partner ${partner.id}`);
        apiKeyId = created.id;
      }
      try {
        await client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId, keyType: 'API_KEY' }));
      } catch (error) {
        // Already in the plan: the state we want, reached by an earlier run.
        if (!(error instanceof ConflictException)) throw error;
      }
      return { apiKeyId, usagePlanId, enabled: true };
    },

    async suspend(partnerId) {
      const existing = await findKey(partnerId);
      if (!existing?.id) return undefined;
      if (existing.enabled !== false) await setEnabled(existing.id, false);
      return { apiKeyId: existing.id, usagePlanId, enabled: false };
    },
  };
}
