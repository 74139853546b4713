import type { PartnerService } from '../../shared/services/partners';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '../../shared/domain/page';
import { ValidationError } from '../../shared/domain/errors';
import { synopsis, type Command } from './args';
import { IncompleteError, TargetError, UsageError } from './errors';
import type { Output } from './output';
import type { UsagePlanPort } from './usage-plan';
import { PORTAL_LINK_WARNING, SECRET_WARNING, portalLinkView, keyView, partnerListView, partnerView, tokenRotationView, usageView } from './views';
import type { TokenRotationService } from '../../shared/services/token-rotation';
import type { UsageService } from '../../shared/services/usage';
import type { PortalSessionService } from '../../shared/services/portal-sessions';
import { EXPIRES_IN_DEFAULT } from '../../shared/domain/portal-session';

/** The partner use cases the CLI drives; the real service in production, a fake in tests. */
export type PartnerAdmin = Pick<PartnerService, 'create' | 'get' | 'list' | 'setStatus' | 'issueKey' | 'listKeys' | 'revokeKey'>;

/** A customer's monthly usage, as the API's usage route computes it. */
export type UsageReader = Pick<UsageService, 'monthly'>;

/** Token rotation; present only where the CLI can act as a customer on Twilio (see connect.ts). */
export type TokenRotationAdmin = Pick<TokenRotationService, 'rotate'>;

/** Portal links, made by the service the API's portal-session routes use, on the target's portal URL. */
export interface PortalLinks {
  links: Pick<PortalSessionService, 'createLink'>;
  /** Where the target serves the portal (the local platform's URL, a stack's PortalBaseUrl); absent when the target names none (a bare table). */
  baseUrl?: string;
}

export interface CommandDeps {
  partners: PartnerAdmin;
  usage: UsageReader;
  /** Built on first use: it loads the key service and the Twilio SDK, which other commands do not need. */
  tokenRotation?: () => TokenRotationAdmin;
  /** Present for deployed stacks only: locally there is no API Gateway usage plan. */
  usagePlan?: UsagePlanPort;
  portal?: PortalLinks;
  out: Output;
}

/** Runs one parsed command and writes its JSON result; failures are thrown for the caller to report. */
export async function execute(command: Command, { partners, usage, usagePlan, tokenRotation, portal, out }: CommandDeps): Promise<void> {
  switch (command.name) {
    case 'partners create': {
      // Primary course: partner row → API Gateway key in the usage plan (deployed) → first key (asked).
      // Each step after the first says how to finish if it fails, since the partner already exists.
      const partner = await partners.create(command.partnerName);
      const apiGatewayKey = usagePlan
        ? await finishing(partner.id, 'its API Gateway key', `partners reactivate --id ${partner.id}`, () => usagePlan.admit(partner))
        : undefined;
      const issued = command.withKey
        ? await finishing(partner.id, 'its first API key', `keys issue --partner ${partner.id}`, () => partners.issueKey(partner.id))
        : undefined;
      // No re-read once a key exists: a failed read here would lose a secret that cannot be shown again.
      const current = issued ? { ...partner, activeKeyCount: partner.activeKeyCount + 1, updatedAt: issued.key.createdAt } : partner;
      out.result({
        partner: partnerView(current),
        ...(usagePlan ? { apiGatewayKey } : {}),
        ...(issued ? { key: keyView(issued.key), secret: issued.secret, warning: SECRET_WARNING } : {}),
      });
      return;
    }

    case 'partners get':
      out.result({ partner: partnerView(await partners.get(command.partnerId)) });
      return;

    case 'partners list': {
      const page = (limit: number, cursor: string | undefined) =>
        partners.list(limit, cursor).catch((error: unknown) => {
          if (error instanceof ValidationError) throw new UsageError('--cursor is not a nextCursor of partners list', synopsis(command.name));
          throw error;
        });
      if (command.limit !== undefined || command.cursor !== undefined) {
        const { data, nextCursor } = await page(command.limit ?? PAGE_LIMIT_DEFAULT, command.cursor);
        out.result({ partners: data.map(partnerListView), nextCursor });
        return;
      }
      const all = [];
      let cursor: string | undefined;
      do {
        const { data, nextCursor } = await page(PAGE_LIMIT_MAX, cursor);
        all.push(...data.map(partnerListView));
        cursor = nextCursor ?? undefined;
      } while (cursor);
      out.result({ partners: all });
      return;
    }

    case 'partners suspend': {
      // The table first: the authorizer refuses a suspended partner even if the gateway step fails.
      const partner = await partners.setStatus(command.partnerId, 'suspended');
      const apiGatewayKey = usagePlan ? ((await usagePlan.suspend(partner.id)) ?? null) : undefined;
      out.result({ partner: partnerView(partner), ...(usagePlan ? { apiGatewayKey } : {}) });
      return;
    }

    case 'partners reactivate': {
      const partner = await partners.setStatus(command.partnerId, 'active');
      const apiGatewayKey = usagePlan ? await usagePlan.admit(partner) : undefined;
      out.result({ partner: partnerView(partner), ...(usagePlan ? { apiGatewayKey } : {}) });
      return;
    }

    case 'keys issue': {
      const { key, secret } = await partners.issueKey(command.partnerId);
      out.result({ key: keyView(key), secret, warning: SECRET_WARNING });
      return;
    }

    case 'keys list': {
      const keys = await partners.listKeys(command.partnerId);
      out.result({ partnerId: command.partnerId, keys: keys.map(keyView) });
      return;
    }

    case 'keys revoke':
      out.result({ key: keyView(await partners.revokeKey(command.partnerId, command.keyId)) });
      return;

    case 'customers usage': {
      const month = await usage.monthly(command.partnerId, command.customerId, command.month).catch((error: unknown) => {
        // The shape was checked already: what is left is a month after the current one.
        if (error instanceof ValidationError) throw new UsageError(`--month ${error.message.replace(/^month /, '')}`, synopsis(command.name));
        throw error;
      });
      out.result({ usage: usageView(month) });
      break;
    }
    case 'portal open': {
      if (!portal?.baseUrl) {
        throw new TargetError('A portal link opens where the portal is served: run it against the running local platform (npm start) or with --stack <platform stack> (its PortalBaseUrl output)');
      }
      // The partner must exist and be active, as its API key would have to be.
      const partner = await partners.get(command.partnerId);
      if (partner.status !== 'active') throw new TargetError(`Partner ${partner.id} is ${partner.status}: its portal sessions would not be accepted`);
      const link = await portal.links.createLink(command.partnerId, command.customerId, { expiresIn: EXPIRES_IN_DEFAULT }, portal.baseUrl);
      out.result({ portalSession: portalLinkView(link), warning: PORTAL_LINK_WARNING });
      return;
    }
    case 'subaccounts rotate-token': {
      if (!tokenRotation) {
        throw new TargetError(
          "Token rotation needs the target's token key: run it against the running local platform (npm start) or with --stack <platform stack> (its TokenKeyArn output); a --table or --endpoint of its own names no key",
        );
      }
      out.result(tokenRotationView(await tokenRotation().rotate(command.partnerId, command.customerId)));
      return;
    }
  }
}

async function finishing<T>(partnerId: string, what: string, retry: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new IncompleteError(`Partner ${partnerId} was created but ${what} was not (${reason}). Finish with: switchboard ${retry} (same target)`);
  }
}
