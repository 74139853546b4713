import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for partner webhook URLs, applied at registration and again before every attempt
 * (DNS can change between the two). A URL passes only if it is https, has no userinfo, does not
 * spell an address in a numeric form a parser would reinterpret, and every address its host
 * resolves to is public unicast — classified by ipaddr.js, not by hand-written ranges. The first
 * checked address is returned: the request connects there, so no second lookup can rebind it.
 */
export type UrlRule = 'invalid-url' | 'https-required' | 'userinfo' | 'numeric-host' | 'unresolvable' | 'non-public-address';
export interface PinnedTarget {
  url: URL;
  hostname: string;
  address: string;
  family: 4 | 6;
  port: number;
}
export type GuardResult = { ok: true; target: PinnedTarget } | { ok: false; rule: UrlRule; detail: string };
export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;
export interface GuardOptions {
  /** Local development only: http and loopback addresses are allowed (and only loopback over http). */
  allowLoopback: boolean;
  lookup?: Lookup;
}

const MAX_URL_LENGTH = 2048;
const OCTET = '(?:0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])';
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/** Hosts made only of digits, dots and hex markers: decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1), short (127.1). */
const NUMERIC_LOOKING = /^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]*))*\.?$/i;

const defaultLookup: Lookup = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
const refuse = (rule: UrlRule, detail: string) => ({ ok: false as const, rule, detail });

/** The authority as written (`user@host:port`). */
const rawAuthority = (raw: string): string => raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#\\]/)[0] ?? '';

/** The host as written, before WHATWG URL normalises `0x7f.1` into `127.0.0.1`. */
function rawHost(raw: string): string {
  const authority = rawAuthority(raw);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

/** What a public address is not; undefined when it is public unicast. */
function nonPublic(address: string): string | undefined {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

const isLoopback = (address: string) => {
  const parsed = ipaddr.parse(address);
  const v4 = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  return v4.range() === 'loopback';
};

/** The checks that need no DNS: scheme, userinfo, numeric spellings, length. */
export function checkUrlSyntax(raw: string, { allowLoopback }: { allowLoopback: boolean }): { ok: true; url: URL } | { ok: false; rule: UrlRule; detail: string } {
  if (raw.length > MAX_URL_LENGTH) return refuse('invalid-url', `The URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('invalid-url', 'The URL cannot be parsed');
  }
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:')) return refuse('https-required', `Only https URLs are accepted, not ${url.protocol.slice(0, -1)}`);
  if (url.username || url.password || rawAuthority(raw).includes('@')) {
    return refuse('userinfo', 'The URL must not carry credentials (user:password@)');
  }
  const written = rawHost(raw);
  if (!written.startsWith('[') && NUMERIC_LOOKING.test(written) && !DOTTED_QUAD.test(written)) {
    return refuse('numeric-host', `${written} spells an address in decimal, octal or hex form; write a host name`);
  }
  return { ok: true, url };
}

/** Every check, DNS included: the target to connect to, or the rule the URL breaks. */
export async function guardUrl(raw: string, { allowLoopback, lookup = defaultLookup }: GuardOptions): Promise<GuardResult> {
  const syntax = checkUrlSyntax(raw, { allowLoopback });
  if (!syntax.ok) return syntax;
  const { url } = syntax;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: Array<{ address: string; family: 4 | 6 }>;
  if (ipaddr.isValid(hostname)) addresses = [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv6' ? 6 : 4 }];
  else {
    try {
      addresses = await lookup(hostname);
    } catch {
      addresses = [];
    }
  }
  if (addresses.length === 0) return refuse('unresolvable', `${hostname} does not resolve to any address`);
  for (const { address } of addresses) {
    const range = nonPublic(address);
    if (range === undefined) continue;
    if (allowLoopback && range === 'loopback') continue;
    const where = address === hostname ? address : `${hostname} resolves to ${address},`;
    return refuse('non-public-address', `${where} a ${range} address: only public addresses are accepted`);
  }
  if (url.protocol === 'http:' && !addresses.every((a) => isLoopback(a.address))) return refuse('https-required', 'http is accepted for loopback receivers only (local development)');
  const [first] = addresses;
  return { ok: true, target: { url, hostname, address: first!.address, family: first!.family, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) } };
}
