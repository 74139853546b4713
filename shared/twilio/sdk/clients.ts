/**
 * One SDK client per credential set, built once and reused: building a client per call would
 * throw away the API versions the areas build on it and defeat connection reuse. The key includes
 * a hash of the token so a rotated token gets a fresh client (and the old one ages out), without
 * keeping the token itself as a map key.
 */
import { createHash } from 'node:crypto';
import { Client } from 'twilio/lib/base/BaseTwilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { SubaccountCredentials } from '../gateway';
import type { SdkClient } from './context';

export class TwilioClientCache {
  private readonly clients = new Map<string, SdkClient>();

  constructor(
    private readonly httpClient: RequestClient,
    /** Bounds memory in long-lived processes (the local platform serves every tenant). */
    private readonly maxClients = 1000,
  ) {}

  get(creds: SubaccountCredentials): SdkClient {
    const key = `${creds.accountSid}:${createHash('sha256').update(creds.authToken).digest('hex')}`;
    const cached = this.clients.get(key);
    if (cached) {
      // Refresh recency so the least recently used client is the one evicted.
      this.clients.delete(key);
      this.clients.set(key, cached);
      return cached;
    }
    // `env: {}` keeps the SDK from falling back to TWILIO_* variables; configuration is explicit.
    const client = new Client(creds.accountSid, creds.authToken, { httpClient: this.httpClient, env: {}, autoRetry: false });
    this.clients.set(key, client);
    if (this.clients.size > this.maxClients) {
      const oldest = this.clients.keys().next().value as string;
      this.clients.delete(oldest);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }
}
