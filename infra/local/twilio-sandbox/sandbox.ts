import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SandboxClock } from './core/clock';
import { RequestRecorder, type RecordedRequest, type RequestFilter } from './core/recorder';
import { Router } from './core/router';
import { RuleBook, type SandboxRule, type StoredRule, type WebhookKind } from './core/rules';
import { SidFactory } from './core/sids';
import { SandboxState, type AccountStatus } from './core/state';
import type { SandboxContext, SandboxSettings } from './core/context';
import { WebhookSender, fetchDispatch, type WebhookDelivery, type WebhookDispatch } from './webhooks/dispatcher';
import { accountRoutes, changeAccountStatus, createAccountRecord } from './resources/api-accounts';
import { keyRoutes } from './resources/api-keys';
import { authTokenRoutes, signingTokenOf } from './resources/auth-tokens';
import { addressRoutes } from './resources/api-addresses';
import { phoneNumberRoutes } from './resources/api-phone-numbers';
import { messageRoutes } from './resources/api-messages';
import { usageRoutes } from './resources/api-usage';
import { trustItemRoutes } from './resources/trusthub-items';
import { bundleRoutes, createBundleRecord } from './resources/trusthub-bundles';
import { POLICY } from './resources/trusthub-policies';
import { serviceRoutes } from './resources/messaging-services';
import { brandRoutes, confirmBrandOtp } from './resources/messaging-brands';
import { campaignRoutes, registerNumber } from './resources/messaging-campaigns';
import { resumeSender, senderRoutes, verificationCodeOf } from './resources/messaging-senders';
import { contentRoutes, resumeTemplateReview } from './resources/content';
import { emitEvent, eventRoutes } from './resources/events';
import { simulateInbound, type InboundMessage, type InboundResult } from './resources/inbound';
import { resumeMessage } from './resources/api-messages';
import { resumeBrand } from './resources/messaging-brands';
import { resumeCampaign, resumeNumberRegistration } from './resources/messaging-campaigns';
import { resumeBundle } from './resources/trusthub-bundles';
import { loadSnapshot, saveSnapshot, type SandboxSnapshot } from './core/persistence';
import { createSandboxServer } from './server';
import { controlHandler } from './control/routes';

export interface TwilioSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  masterAccountSid?: string;
  masterAuthToken?: string;
  /** Sandbox seconds per review step; default 60, 0 allowed. */
  reviewDelaySeconds?: number;
  /** Sandbox seconds between message statuses; default 1. */
  messageStepSeconds?: number;
  /** Sole-proprietor OTP validity in sandbox seconds; default 24 h. */
  otpValiditySeconds?: number;
  /** Fail US 10DLC sends with 30034 until the number is registered in a VERIFIED campaign; default true. */
  enforceA2pRegistration?: boolean;
  /** Sandbox seconds a promoted auth token takes to reach webhook signing (the old primary signs meanwhile); default 0. */
  tokenPropagationSeconds?: number;
  /** Webhook transport; default real HTTP POST with fetch. */
  dispatch?: WebhookDispatch;
  /** Seed for SIDs and tokens; the same seed gives the same SIDs in the same order. */
  seed?: string;
  /** Sandbox epoch start; default 2025-01-01T00:00:00Z. */
  startTime?: Date;
  /** Also move sandbox time with wall time (for the interactive local platform). */
  realtime?: boolean;
  /**
   * Keep the sandbox's records, SID counters and clock in this file across restarts (saved every
   * few seconds and on stop), as the local platform keeps its table: without it, a restarted
   * sandbox would not know the subaccounts the table holds and would hand their SIDs out again.
   */
  stateFile?: string;
}

export interface SandboxAccount {
  sid: string;
  authToken: string;
  status: AccountStatus;
  parentSid: string | null;
  friendlyName: string;
}

export interface TwilioSandbox {
  url: string;
  port: number;
  masterAccountSid: string;
  masterAuthToken: string;
  /** The master's twilio-approved ISV Primary Customer Profile, to assign to secondary profiles. */
  primaryCustomerProfileSid: string;
  stop(): Promise<void>;
  now(): Date;
  advance(seconds: number): Promise<void>;
  pendingTransitions(): Array<{ id: number; dueAt: number; label: string }>;
  addRule(rule: SandboxRule): number;
  removeRule(id: number): boolean;
  rules(): StoredRule[];
  requests(filter?: RequestFilter): RecordedRequest[];
  webhooks(filter?: { kind?: WebhookKind; accountSid?: string }): WebhookDelivery[];
  reset(): void;
  simulateInbound(message: InboundMessage): Promise<InboundResult>;
  confirmBrandOtp(brandSid: string): Promise<void>;
  /**
   * The code Meta sent a WhatsApp sender's number (by SMS or voice), while the sender is
   * PENDING_VERIFICATION; undefined otherwise. Any other code is refused (400).
   */
  whatsAppVerificationCode(senderSid: string): string | undefined;
  account(sid: string): SandboxAccount | undefined;
  setAccountStatus(sid: string, status: AccountStatus, options?: { byTwilio?: boolean }): void;
  /** How long, in sandbox seconds, webhooks stay signed with the old primary after a promote (Twilio: about a minute). */
  setTokenPropagation(seconds: number): void;
}

const DEFAULT_MASTER_SID = 'AC' + '0'.repeat(31) + '1';

export async function startTwilioSandbox(options: TwilioSandboxOptions = {}): Promise<TwilioSandbox> {
  const masterAccountSid = options.masterAccountSid ?? DEFAULT_MASTER_SID;
  const snapshot = options.stateFile ? loadSnapshot(options.stateFile) : undefined;
  // A snapshot of another master account belongs to another configuration: start clean instead.
  const restoring = snapshot !== undefined && snapshot.masterAccountSid === masterAccountSid;
  // A kept sandbox starting without a snapshot may sit beside a table that already holds SIDs (an
  // older data folder): a fresh random seed keeps the new SIDs from ever meeting those.
  const seed = restoring ? snapshot.seed : (options.seed ?? (options.stateFile ? randomBytes(16).toString('hex') : 'switchboard-sandbox'));
  const state = new SandboxState();
  const clock = new SandboxClock((options.startTime ?? new Date('2025-01-01T00:00:00Z')).getTime());
  const sids = new SidFactory(seed);
  const rules = new RuleBook();
  const recorder = new RequestRecorder();
  const webhooks = new WebhookSender(options.dispatch ?? fetchDispatch, rules, sids, () => clock.now(), (sid) => {
    const account = state.accounts.get(sid);
    return account && signingTokenOf(account, clock.now());
  });
  const settings: SandboxSettings = {
    reviewDelaySeconds: options.reviewDelaySeconds ?? 60,
    messageStepSeconds: options.messageStepSeconds ?? 1,
    otpValiditySeconds: options.otpValiditySeconds ?? 24 * 3600,
    enforceA2pRegistration: options.enforceA2pRegistration ?? true,
    tokenPropagationSeconds: options.tokenPropagationSeconds ?? 0,
  };
  if (restoring) {
    sids.restore(snapshot.counters);
    state.restore(snapshot.state);
    clock.resumeAt(snapshot.now);
  }
  const masterAuthToken = options.masterAuthToken ?? (restoring ? state.accounts.get(masterAccountSid)?.authToken : undefined) ?? sids.secret('master-auth-token');
  const ctx: SandboxContext = {
    state, clock, sids, rules, webhooks, recorder, settings, masterAccountSid, primaryCustomerProfileSid: '',
    hooks: {
      emitEvent: (accountSid, type, data, source, dataschema) => emitEvent(ctx, accountSid, type, data, source, dataschema),
      campaignVerifiedFor: (serviceSid) => [...state.campaigns.values()].some((c) => c.messagingServiceSid === serviceSid && c.status === 'VERIFIED'),
      registerNumber: (numberSid) => registerNumber(ctx, numberSid),
    },
  };

  /** The master account and its approved ISV Primary profile exist before any test runs. */
  const bootstrap = (): void => {
    createAccountRecord(ctx, { friendlyName: 'Switchboard ISV (sandbox master)', sid: masterAccountSid, authToken: masterAuthToken });
    const primary = createBundleRecord(ctx, {
      kind: 'customer-profile', accountSid: masterAccountSid, policySid: POLICY.primaryCustomerProfile, friendlyName: 'ISV Primary Customer Profile',
      email: 'compliance@isv.example', statusCallback: null, status: 'twilio-approved',
    });
    ctx.primaryCustomerProfileSid = primary.sid;
  };
  /**
   * Reviews and message statuses that were on their way when the snapshot was taken continue from
   * the status each record stands at; records already decided are left as they are.
   */
  const resumeInFlight = (): void => {
    for (const bundle of state.bundles.values()) resumeBundle(ctx, bundle);
    for (const brand of state.brands.values()) resumeBrand(ctx, brand);
    for (const campaign of state.campaigns.values()) resumeCampaign(ctx, campaign);
    for (const number of state.phoneNumbers.values()) resumeNumberRegistration(ctx, number);
    for (const message of state.messages.values()) resumeMessage(ctx, message);
    for (const sender of state.senders.values()) resumeSender(ctx, sender);
    for (const content of state.contents.values()) resumeTemplateReview(ctx, content);
  };
  if (restoring && state.accounts.has(masterAccountSid)) {
    state.accounts.get(masterAccountSid)!.authToken = masterAuthToken;
    ctx.primaryCustomerProfileSid = snapshot.primaryCustomerProfileSid;
    resumeInFlight();
  } else {
    if (restoring) {
      // A snapshot without its master account is unusable: start clean.
      state.clear();
      sids.reset();
    }
    bootstrap();
  }

  // The clock alone moving (the realtime ticker) is no reason to write the file again.
  let lastSaved: string | undefined;
  const save = (force = false): void => {
    if (!options.stateFile) return;
    const current: SandboxSnapshot = {
      version: 1, seed, masterAccountSid, primaryCustomerProfileSid: ctx.primaryCustomerProfileSid, now: clock.now(), counters: sids.snapshot(), state: state.snapshot(),
    };
    const contents = JSON.stringify([current.primaryCustomerProfileSid, current.counters, current.state]);
    if (contents === lastSaved && !force) return;
    saveSnapshot(options.stateFile, current);
    lastSaved = contents;
  };
  let saver: NodeJS.Timeout | undefined;
  if (options.stateFile) {
    saver = setInterval(() => {
      try {
        save();
      } catch (error) {
        process.emitWarning(`Twilio sandbox state not saved: ${(error as Error).message}`);
      }
    }, 5000);
    saver.unref();
  }

  const router = new Router([
    ...accountRoutes, ...authTokenRoutes, ...keyRoutes, ...addressRoutes, ...phoneNumberRoutes, ...messageRoutes, ...usageRoutes,
    ...trustItemRoutes, ...bundleRoutes,
    ...serviceRoutes, ...brandRoutes, ...campaignRoutes, ...senderRoutes,
    ...contentRoutes, ...eventRoutes,
  ]);

  const toAccount = (sid: string): SandboxAccount | undefined => {
    const a = state.accounts.get(sid);
    return a && { sid: a.sid, authToken: a.authToken, status: a.status, parentSid: a.parentSid ?? null, friendlyName: a.friendlyName };
  };

  let ticker: NodeJS.Timeout | undefined;
  const sandbox: TwilioSandbox = {
    url: '',
    port: 0,
    masterAccountSid,
    masterAuthToken,
    get primaryCustomerProfileSid() {
      return ctx.primaryCustomerProfileSid;
    },
    stop: async () => {
      if (ticker) clearInterval(ticker);
      if (saver) clearInterval(saver);
      save(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    now: () => clock.date(),
    advance: (seconds) => clock.advance(seconds),
    pendingTransitions: () => [...clock.pending()],
    addRule: (rule) => rules.add(rule).id,
    removeRule: (id) => rules.remove(id),
    rules: () => rules.list(),
    requests: (filter) => recorder.list(filter),
    webhooks: (filter) => webhooks.list(filter),
    reset: () => {
      state.clear();
      rules.clear();
      recorder.clear();
      webhooks.clear();
      clock.reset();
      sids.reset();
      bootstrap();
    },
    simulateInbound: (message) => simulateInbound(ctx, message),
    confirmBrandOtp: async (brandSid) => {
      await confirmBrandOtp(ctx, brandSid);
    },
    whatsAppVerificationCode: (senderSid) => verificationCodeOf(ctx, senderSid),
    account: toAccount,
    setAccountStatus: (sid, status, opts = {}) => {
      const account = state.accounts.get(sid);
      if (!account) throw new Error(`unknown account ${sid}`);
      if (opts.byTwilio && status === 'suspended') account.suspendedByTwilio = true;
      if (status === 'active') account.suspendedByTwilio = false;
      changeAccountStatus(ctx, account, status);
    },
    setTokenPropagation: (seconds) => {
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error('seconds must be a non-negative number');
      settings.tokenPropagationSeconds = seconds;
    },
  };

  const server = createSandboxServer(ctx, router, controlHandler(sandbox));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  sandbox.port = address.port;
  sandbox.url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  if (options.realtime) {
    let last = Date.now();
    ticker = setInterval(() => {
      const now = Date.now();
      void clock.advance((now - last) / 1000);
      last = now;
    }, 250);
    ticker.unref();
  }
  return sandbox;
}
