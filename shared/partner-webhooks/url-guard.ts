import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for partner webhook URLs, applied at registration and again before every attempt
 * (DNS can change between the two). A URL passes only if it is https, carries no userinfo, spells
 * no address in a form a parser would reinterpret, uses an allowed port, and every address its
 * host resolves to is public unicast. The first checked address is returned: the request connects
 * there, so no second lookup can rebind it.
 *
 * Decisions worth knowing:
 * - Names are judged by what they resolve to, never by how they are spelled: `localhost` and
 *   `*.localhost` get no special case. With `allowLoopback` (local development) they pass because,
 *   and only when, every address they resolve to is loopback; http is accepted on the same
 *   condition, so http never reaches anything but this machine.
 * - Ports: 443 and the unprivileged 1024–65535 (receivers behind gateways and tunnels use many of
 *   them; which of those is "internal" is only knowable per network, and internal addresses are
 *   refused anyway). The other well-known ports (SMTP 25, SSH 22, …) are refused, so a webhook
 *   cannot be aimed at a public mail or shell server. Port 80 is allowed with `allowLoopback` only.
 * - Addresses are classified by ipaddr.js's named ranges: IPv4 must be `unicast`; IPv6 must be
 *   `unicast` and inside 2000::/3, the global unicast block (ipaddr.js has no name for it, so it is
 *   written here; outside it lie the IPv4-compatible ::/96 and unallocated space). IPv4-mapped
 *   addresses are judged by the IPv4 address they carry. The transition forms — 6to4, Teredo,
 *   NAT64 (`rfc6052`), IPv4-translated (`rfc6145`) — are refused whatever they embed: they reach
 *   another (possibly private) IPv4 address through a translator we do not control, and Teredo
 *   obfuscates the address it carries. Our functions resolve on dual-stack networks, where a
 *   receiver's native A or AAAA record is what comes back.
 */
export type UrlRule = 'invalid-url' | 'https-required' | 'userinfo' | 'numeric-host' | 'port' | 'unresolvable' | 'non-public-address';
export interface PinnedTarget {
  url: URL;
  /** The URL's host without IPv6 brackets: TLS server name and certificate check. */
  hostname: string;
  /** Where the connection goes: the first address the guard checked. */
  address: string;
  family: 4 | 6;
  port: number;
}
export type GuardResult = { ok: true; target: PinnedTarget } | { ok: false; rule: UrlRule; detail: string };
export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;
export interface GuardOptions {
  /** Local development only: http and loopback addresses are allowed (and only loopback over http). */
  allowLoopback: boolean;
  /** Every A and AAAA address of a name, in resolver order; node's resolver by default. */
  lookup?: Lookup;
}

const MAX_URL_LENGTH = 2048;
const HTTPS_PORT = 443;
const HTTP_PORT = 80;
const FIRST_UNPRIVILEGED_PORT = 1024;
/** IANA's global unicast block: the only IPv6 space a public receiver can be in. */
const GLOBAL_UNICAST: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];
/** Whitespace and control characters, which WHATWG URL silently drops or trims. */
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f]/;

/** How a refused range reads in a detail sentence. */
const RANGE_WORDS: Record<string, string> = {
  private: 'a private',
  loopback: 'a loopback',
  linkLocal: 'a link-local',
  carrierGradeNat: 'a carrier-grade NAT',
  multicast: 'a multicast',
  reserved: 'a reserved',
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  uniqueLocal: 'a unique local',
  deprecatedSiteLocal: 'a site-local',
  '6to4': 'a 6to4',
  teredo: 'a Teredo',
  rfc6052: 'a NAT64',
  rfc6145: 'an IPv4-translated',
  benchmarking: 'a benchmarking',
  discard: 'a discard-only',
  notGlobal: 'a non-global',
};

const defaultLookup: Lookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
const refuse = (rule: UrlRule, detail: string) => ({ ok: false as const, rule, detail });

/** The authority as written (`user@host:port`), for the checks WHATWG URL's normalisation would hide. */
const rawAuthority = (raw: string): string => raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#\\]/)[0] ?? '';

/** The host as written, before WHATWG URL turns `0x7f.1` into `127.0.0.1`. */
function rawHost(raw: string): string {
  const authority = rawAuthority(raw);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[^:]*$/, '');
}

/**
 * The ipaddr.js range that makes an address non-public, or undefined when it is public unicast.
 * `notGlobal` is IPv6 space ipaddr.js calls unicast that lies outside 2000::/3.
 */
function nonPublicRange(address: string): string | undefined {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast' ? undefined : parsed.range();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return nonPublicRange(v6.toIPv4Address().toString());
  if (v6.range() !== 'unicast') return v6.range();
  return v6.match(GLOBAL_UNICAST) ? undefined : 'notGlobal';
}

/** The checks that need no DNS: length, scheme, userinfo, numeric spellings, port. */
export function checkUrlSyntax(raw: string, { allowLoopback }: { allowLoopback: boolean }): { ok: true; url: URL } | { ok: false; rule: UrlRule; detail: string } {
  if (raw.length > MAX_URL_LENGTH) return refuse('invalid-url', `The URL is longer than ${MAX_URL_LENGTH} characters`);
  if (INVISIBLE.test(raw)) return refuse('invalid-url', 'The URL contains whitespace or control characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('invalid-url', 'The URL cannot be parsed');
  }
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:')) {
    return refuse('https-required', `Only https URLs are accepted, not ${url.protocol.slice(0, -1)}`);
  }
  // `https:host` and `https:/host` parse as `https://host`; the raw checks below need the authority where it is expected.
  if (!raw.toLowerCase().startsWith(`${url.protocol}//`)) return refuse('invalid-url', `The URL must start with ${url.protocol}//`);
  if (url.username || url.password || rawAuthority(raw).includes('@')) {
    return refuse('userinfo', 'The URL must not carry credentials (user:password@)');
  }
  // WHATWG URL reads a host whose last label is a number as an IPv4 address in any of its historic
  // spellings (2130706433, 0177.0.0.1, 0x7f.1, 127.1) and writes it back as a dotted quad: anything
  // but that dotted quad as written is one of those spellings.
  const written = rawHost(raw);
  if (ipaddr.IPv4.isValidFourPartDecimal(url.hostname) && written !== url.hostname) {
    return refuse('numeric-host', `${written} spells the address ${url.hostname} in decimal, octal, hex or short form; write a host name or the dotted quad`);
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? HTTPS_PORT : HTTP_PORT);
  if (port !== HTTPS_PORT && port < FIRST_UNPRIVILEGED_PORT && !(allowLoopback && port === HTTP_PORT)) {
    return refuse('port', `Port ${port} is not accepted: use 443 or a port from ${FIRST_UNPRIVILEGED_PORT} to 65535`);
  }
  return { ok: true, url };
}

async function resolve(hostname: string, lookup: Lookup): Promise<Array<{ address: string; family: 4 | 6 }> | string> {
  if (ipaddr.isValid(hostname)) return [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv6' ? 6 : 4 }];
  try {
    const addresses = await lookup(hostname);
    return addresses.length > 0 ? addresses : `${hostname} has no A or AAAA address`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${hostname} does not resolve (DNS ${code ?? 'lookup failed'})`;
  }
}

/** Every check, DNS included: the target to connect to, or the rule the URL breaks and why. */
export async function guardUrl(raw: string, { allowLoopback, lookup = defaultLookup }: GuardOptions): Promise<GuardResult> {
  const syntax = checkUrlSyntax(raw, { allowLoopback });
  if (!syntax.ok) return syntax;
  const { url } = syntax;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const addresses = await resolve(hostname, lookup);
  if (typeof addresses === 'string') return refuse('unresolvable', addresses);

  const where = (address: string) => (address === hostname ? `${address} is` : `${hostname} resolves to ${address},`);
  let loopbackOnly = true;
  for (const { address } of addresses) {
    let range: string | undefined;
    try {
      range = nonPublicRange(address);
    } catch {
      return refuse('non-public-address', `${hostname} resolves to ${address}, which is not an IP address`);
    }
    loopbackOnly &&= range === 'loopback';
    if (range === undefined || (allowLoopback && range === 'loopback')) continue;
    return refuse('non-public-address', `${where(address)} ${RANGE_WORDS[range] ?? `a ${range}`} address: only public addresses are accepted`);
  }
  if (url.protocol === 'http:' && !loopbackOnly) return refuse('https-required', `${hostname} is not a loopback receiver: http is accepted for those only (local development)`);

  const [first] = addresses;
  return {
    ok: true,
    target: { url, hostname, address: first!.address, family: first!.family, port: Number(url.port) || (url.protocol === 'https:' ? HTTPS_PORT : HTTP_PORT) },
  };
}
