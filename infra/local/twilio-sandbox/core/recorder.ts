/** Every API request the sandbox answered, so tests and benchmarks can count Twilio calls by endpoint. */
export interface RecordedRequest {
  seq: number;
  at: number;
  method: string;
  host: string;
  path: string;
  params: Record<string, string | string[]>;
  json?: unknown;
  accountSid: string | null;
  status: number;
}

export interface RequestFilter {
  method?: string;
  host?: string;
  /** Exact path, or a RegExp tested against the path. */
  path?: string | RegExp;
  accountSid?: string;
}

export class RequestRecorder {
  private items: RecordedRequest[] = [];
  private seq = 0;

  record(entry: Omit<RecordedRequest, 'seq'>): void {
    this.items.push({ ...entry, seq: ++this.seq });
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.items.filter(
      (r) =>
        (!filter.method || r.method === filter.method.toUpperCase()) &&
        (!filter.host || r.host === filter.host) &&
        (!filter.accountSid || r.accountSid === filter.accountSid) &&
        (filter.path === undefined || (typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path))),
    );
  }

  clear(): void {
    this.items = [];
  }
}
