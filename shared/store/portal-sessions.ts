import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PortalScope } from '../domain/portal-session';
import { partnerPortalSessionKey, portalLinkKey, portalSessionKey } from './keys';
import { TABLE } from './table';
import { cancelledBecauseOf, transactWrite } from './transact';

/** What a link grants and the session it opens carries. */
export interface PortalGrant {
  id: string;
  partnerId: string;
  scope: PortalScope;
  customerId?: string;
  returnUrl?: string;
}

export interface StoredPortalLink extends PortalGrant {
  tokenHash: string;
  createdAt: string;
  linkExpiresAt: string;
  /** Lifetime of the session the link opens, in seconds from the moment it is opened. */
  sessionSeconds: number;
}

export interface StoredPortalSession extends PortalGrant {
  secretHash: string;
  createdAt: string;
  sessionExpiresAt: string;
  revokedAt?: string;
}

export type ExchangeOutcome = 'created' | 'used' | 'expired' | 'unknown';

/** Portal links and the sessions they open: one aggregate, because a link's use and its session are one write. */
export interface PortalSessionRepository {
  createLink(link: StoredPortalLink): Promise<void>;
  /** Marks the link used and creates its session in one transaction, or neither. */
  exchange(tokenHash: string, session: Omit<StoredPortalSession, keyof PortalGrant | 'sessionExpiresAt'>, now: Date): Promise<{ outcome: ExchangeOutcome; session?: StoredPortalSession }>;
  findSession(secretHash: string): Promise<StoredPortalSession | undefined>;
  /** The partner's record of an opened session, by id. */
  findOpened(partnerId: string, sessionId: string): Promise<(PortalGrant & { sessionExpiresAt: string; revokedAt?: string }) | undefined>;
  /** Marks the partner's link (and its session, once opened) revoked; false when the partner has no such id. */
  revoke(partnerId: string, sessionId: string, at: string): Promise<boolean>;
}

const GRANT_FIELDS = ['id', 'partnerId', 'scope', 'customerId', 'returnUrl'] as const;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function pick<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

export function dynamoPortalSessionRepository(db: DynamoDBDocumentClient, tableName: string): PortalSessionRepository {
  return {
    async createLink(link) {
      const grant = pick<PortalGrant>(link as unknown as Record<string, unknown>, GRANT_FIELDS);
      // The partner's record outlives every session the link can open: link expiry plus one session lifetime.
      const recordExpiry = epoch(link.linkExpiresAt) + link.sessionSeconds;
      await transactWrite(db, tableName, [
        {
          Put: {
            Item: { ...portalLinkKey(link.tokenHash), entity: 'PortalLink', ...link, [TABLE.ttlAttribute]: epoch(link.linkExpiresAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            Item: { ...partnerPortalSessionKey(link.partnerId, link.id), entity: 'PartnerPortalSession', ...grant, tokenHash: link.tokenHash, createdAt: link.createdAt, [TABLE.ttlAttribute]: recordExpiry },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    },

    async exchange(tokenHash, opened, now) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: portalLinkKey(tokenHash), ConsistentRead: true }));
      if (!Item) return { outcome: 'unknown' };
      const link = Item as StoredPortalLink & { usedAt?: string; revokedAt?: string };
      if (link.usedAt || link.revokedAt) return { outcome: 'used' };
      if (Date.parse(link.linkExpiresAt) <= now.getTime()) return { outcome: 'expired' };
      const session: StoredPortalSession = {
        ...pick<PortalGrant>(Item, GRANT_FIELDS),
        ...opened,
        sessionExpiresAt: new Date(now.getTime() + link.sessionSeconds * 1000).toISOString(),
      };
      try {
        await transactWrite(db, tableName, [
          {
            // Single use: only the first exchange finds the link unused and unrevoked.
            Update: {
              Key: portalLinkKey(tokenHash),
              UpdateExpression: 'SET usedAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND attribute_not_exists(revokedAt)',
              ExpressionAttributeValues: { ':now': opened.createdAt },
            },
          },
          { Put: { Item: { ...portalSessionKey(session.secretHash), entity: 'PortalSession', ...session, [TABLE.ttlAttribute]: epoch(session.sessionExpiresAt) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            // A revocation that came first wins: the record must not be revoked yet.
            Update: {
              Key: partnerPortalSessionKey(session.partnerId, session.id),
              UpdateExpression: 'SET secretHash = :hash, openedAt = :now, sessionExpiresAt = :exp',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
              ExpressionAttributeValues: { ':hash': session.secretHash, ':now': opened.createdAt, ':exp': session.sessionExpiresAt },
            },
          },
        ]);
      } catch (error) {
        if (cancelledBecauseOf(error, 0) || cancelledBecauseOf(error, 2)) return { outcome: 'used' };
        throw error;
      }
      return { outcome: 'created', session };
    },

    async findSession(secretHash) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: portalSessionKey(secretHash), ConsistentRead: true }));
      return Item ? pick<StoredPortalSession>(Item, [...GRANT_FIELDS, 'secretHash', 'createdAt', 'sessionExpiresAt', 'revokedAt']) : undefined;
    },

    async findOpened(partnerId, sessionId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerPortalSessionKey(partnerId, sessionId), ConsistentRead: true }));
      if (!Item || typeof Item.sessionExpiresAt !== 'string') return undefined;
      return pick(Item, [...GRANT_FIELDS, 'sessionExpiresAt', 'revokedAt']);
    },

    async revoke(partnerId, sessionId, at) {
      let record: Record<string, unknown> | undefined;
      try {
        ({ Attributes: record } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: partnerPortalSessionKey(partnerId, sessionId),
            UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        ));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
      // The link cannot be opened any more, and the session it opened (if any) stops working.
      const mark = async (Key: Record<string, string>) => {
        try {
          await db.send(new UpdateCommand({ TableName: tableName, Key, UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at } }));
        } catch (error) {
          // Already gone through the TTL: nothing left to revoke.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      };
      await mark(portalLinkKey(record!.tokenHash as string));
      if (typeof record!.secretHash === 'string') await mark(portalSessionKey(record!.secretHash));
      return true;
    },
  };
}
