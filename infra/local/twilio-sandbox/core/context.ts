import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxClock } from './clock';
import type { RequestRecorder } from './recorder';
import type { RuleBook } from './rules';
import type { SandboxState, AccountRecord } from './state';
import type { SidFactory } from './sids';
import type { WebhookSender } from '../webhooks/dispatcher';

export interface SandboxSettings {
  /** Sandbox seconds each review step takes (TrustHub, brand, campaign, number registration, sender, template). */
  reviewDelaySeconds: number;
  /** Sandbox seconds between message status steps. */
  messageStepSeconds: number;
  /** Sandbox seconds a sole-proprietor OTP stays valid (Twilio: 24 h). */
  otpValiditySeconds: number;
  /** Fail US 10DLC sends with 30034 until the sending number is registered in a VERIFIED campaign. */
  enforceA2pRegistration: boolean;
  /** Sandbox seconds after a token promote during which webhooks are still signed with the old primary (Twilio: about a minute). */
  tokenPropagationSeconds: number;
}

/** Cross-module hooks, wired once by the sandbox so resource modules don't import each other in cycles. */
export interface LifecycleHooks {
  emitEvent(accountSid: string, type: string, data: Record<string, unknown>, source: string, dataschema?: string): Promise<void>;
  campaignVerifiedFor(serviceSid: string): boolean;
  registerNumber(numberSid: string): void;
}

export interface SandboxContext {
  state: SandboxState;
  clock: SandboxClock;
  sids: SidFactory;
  rules: RuleBook;
  webhooks: WebhookSender;
  recorder: RequestRecorder;
  settings: SandboxSettings;
  hooks: LifecycleHooks;
  masterAccountSid: string;
  /** The master's twilio-approved Primary Customer Profile (ISV Reseller), created at start. */
  primaryCustomerProfileSid: string;
}

export type Params = Record<string, string | string[]>;

export interface ApiRequest {
  method: string;
  host: string;
  path: string;
  /** Query and form body merged; repeated keys become arrays. */
  params: Params;
  /** Parsed JSON body for the hosts that take JSON. */
  json: unknown;
  pathParams: Record<string, string>;
  /** As Node parsed them (lower-case names); some answers depend on `x-twilio-api-version`. */
  headers: IncomingHttpHeaders;
  /** The account the credentials belong to. */
  account: AccountRecord;
  /** Standard API keys may not manage accounts or keys (401/20003). */
  credential: 'auth-token' | 'api-key';
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

export type Handler = (req: ApiRequest, ctx: SandboxContext) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: string;
  host: string;
  /** Path with `{Name}` placeholders, matched segment by segment. */
  pattern: string;
  handler: Handler;
}

export const route = (method: string, host: string, pattern: string, handler: Handler): Route => ({ method, host, pattern, handler });

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const accepted = (body: unknown): ApiResponse => ({ status: 202, body });
export const noContent = (): ApiResponse => ({ status: 204 });
