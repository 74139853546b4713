import fc from 'fast-check';
import { checkUrlSyntax, guardUrl, type Lookup } from '../../../shared/partner-webhooks/url-guard';

const PUBLIC_V4 = '93.184.216.34';
const PUBLIC_V6 = '2606:2800:220:1:248:1893:25c8:1946';

/** A resolver that answers from a table and records what it was asked. */
function stubLookup(table: Record<string, Array<{ address: string; family: 4 | 6 }>>) {
  const asked: string[] = [];
  const lookup: Lookup = async (hostname) => {
    asked.push(hostname);
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return { lookup, asked };
}

const v4 = (address: string) => ({ address, family: 4 as const });
const v6 = (address: string) => ({ address, family: 6 as const });
const publicDns = stubLookup({ 'hooks.example.com': [v4(PUBLIC_V4)] }).lookup;

describe('webhook URL syntax', () => {
  it.each([
    ['http://hooks.example.com/in', 'https-required'],
    ['ftp://hooks.example.com/in', 'https-required'],
    ['javascript:alert(1)', 'https-required'],
    ['not a url', 'invalid-url'],
    ['https://', 'invalid-url'],
    ['https:hooks.example.com/in', 'invalid-url'],
    ['https:/hooks.example.com/in', 'invalid-url'],
    [' https://hooks.example.com/in', 'invalid-url'],
    ['https://hooks.exa\tmple.com/in', 'invalid-url'],
    ['https://hooks.example.com/in\n', 'invalid-url'],
    [`https://hooks.example.com/${'a'.repeat(2049 - 'https://hooks.example.com/'.length)}`, 'invalid-url'],
    ['https://user:pw@hooks.example.com/in', 'userinfo'],
    ['https://user@hooks.example.com/in', 'userinfo'],
    ['https://:pw@hooks.example.com/in', 'userinfo'],
    ['https://@hooks.example.com/in', 'userinfo'],
  ])('refuses %j (%s)', (raw, rule) => {
    expect(checkUrlSyntax(raw, { allowLoopback: false })).toMatchObject({ ok: false, rule });
  });

  it('accepts a URL of exactly 2,048 characters', () => {
    const raw = `https://hooks.example.com/${'a'.repeat(2048 - 'https://hooks.example.com/'.length)}`;
    expect(raw).toHaveLength(2048);
    expect(checkUrlSyntax(raw, { allowLoopback: false })).toMatchObject({ ok: true });
  });

  it.each([
    ['decimal', 'https://2130706433/'],
    ['octal', 'https://0177.0.0.1/'],
    ['leading zero', 'https://010.0.0.1/'],
    ['hex', 'https://0x7f.1/'],
    ['hex, one number', 'https://0x7f000001/'],
    ['short', 'https://127.1/'],
    ['three parts', 'https://10.0.1/'],
    ['trailing dot', 'https://127.0.0.1./'],
    ['percent-encoded', 'https://%31%32%37.0.0.1/'],
    ['full-width digits', 'https://１２７.０.０.１/'],
    ['with a port', 'https://0x7f.1:8443/'],
    ['decimal of a public address', 'https://1572395042/'],
  ])('refuses a numeric host written in %s form, which WHATWG URL would rewrite to a dotted quad', (_form, raw) => {
    const result = checkUrlSyntax(raw, { allowLoopback: false });
    expect(result).toMatchObject({ ok: false, rule: 'numeric-host' });
    expect(new URL(raw).hostname).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('refuses every number written as a host, whatever address it stands for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom('dec', 'hex'), (n, base) => {
        const raw = `https://${base === 'hex' ? `0x${n.toString(16)}` : n}/hook`;
        const result = checkUrlSyntax(raw, { allowLoopback: false });
        return !result.ok && result.rule === 'numeric-host';
      }),
    );
  });

  it('leaves a plain dotted quad and a bracketed IPv6 literal to the address rules', () => {
    expect(checkUrlSyntax(`https://${PUBLIC_V4}/`, { allowLoopback: false })).toMatchObject({ ok: true });
    expect(checkUrlSyntax('https://10.0.0.8/', { allowLoopback: false })).toMatchObject({ ok: true });
    expect(checkUrlSyntax('https://[::1]/', { allowLoopback: false })).toMatchObject({ ok: true });
  });

  it.each(['https://hooks.example.com:22/', 'https://hooks.example.com:25/', 'https://hooks.example.com:80/', 'https://hooks.example.com:1023/'])(
    'refuses the well-known port of %s',
    (raw) => {
      const result = checkUrlSyntax(raw, { allowLoopback: false });
      expect(result).toMatchObject({ ok: false, rule: 'port' });
      expect(!result.ok && result.detail).toMatch(/^Port \d+ is not accepted/);
    },
  );

  it.each(['https://hooks.example.com/', 'https://hooks.example.com:443/', 'https://hooks.example.com:1024/', 'https://hooks.example.com:8443/', 'https://hooks.example.com:65535/'])(
    'accepts %s',
    (raw) => {
      expect(checkUrlSyntax(raw, { allowLoopback: false })).toMatchObject({ ok: true });
    },
  );

  it('allows http and port 80 only when loopback is allowed', () => {
    expect(checkUrlSyntax('http://127.0.0.1/hooks', { allowLoopback: true })).toMatchObject({ ok: true });
    expect(checkUrlSyntax('http://127.0.0.1:4100/hooks', { allowLoopback: true })).toMatchObject({ ok: true });
    expect(checkUrlSyntax('http://127.0.0.1:4100/hooks', { allowLoopback: false })).toMatchObject({ ok: false, rule: 'https-required' });
    expect(checkUrlSyntax('ftp://127.0.0.1/', { allowLoopback: true })).toMatchObject({ ok: false, rule: 'https-required' });
  });
});

describe('webhook URL guard', () => {
  it('pins the first address of a public host, with the port and the host name for TLS', async () => {
    const dns = stubLookup({ 'hooks.example.com': [v4(PUBLIC_V4), v6(PUBLIC_V6)] });

    const result = await guardUrl('https://hooks.example.com:8443/in?x=1', { allowLoopback: false, lookup: dns.lookup });

    expect(result).toEqual({ ok: true, target: { url: new URL('https://hooks.example.com:8443/in?x=1'), hostname: 'hooks.example.com', address: PUBLIC_V4, family: 4, port: 8443 } });
    expect(dns.asked).toEqual(['hooks.example.com']);
  });

  it('uses port 443 when the URL names none', async () => {
    const result = await guardUrl('https://hooks.example.com/in', { allowLoopback: false, lookup: publicDns });
    expect(result.ok && result.target.port).toBe(443);
  });

  it('refuses a name that resolves to a private address, naming the host, the address and the range', async () => {
    const dns = stubLookup({ 'api.example.com': [v4('10.0.0.8')] });

    const result = await guardUrl('https://api.example.com/hooks', { allowLoopback: false, lookup: dns.lookup });

    expect(result).toEqual({ ok: false, rule: 'non-public-address', detail: 'api.example.com resolves to 10.0.0.8, a private address: only public addresses are accepted' });
  });

  it('refuses a name when any of its addresses is not public, wherever it comes in the answer', async () => {
    const dns = stubLookup({
      'public-then-private.example.com': [v4(PUBLIC_V4), v4('192.168.1.20')],
      'private-then-public.example.com': [v6('fd00:ec2::254'), v6(PUBLIC_V6)],
      'mixed.example.com': [v6(PUBLIC_V6), v4(PUBLIC_V4), v4('169.254.169.254')],
    });

    await expect(guardUrl('https://public-then-private.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({
      ok: false,
      rule: 'non-public-address',
      detail: expect.stringContaining('192.168.1.20, a private address'),
    });
    await expect(guardUrl('https://private-then-public.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({
      ok: false,
      detail: expect.stringContaining('fd00:ec2::254, a unique local address'),
    });
    await expect(guardUrl('https://mixed.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({
      ok: false,
      detail: expect.stringContaining('169.254.169.254, a link-local address'),
    });
  });

  it('checks the addresses again on every call: a name that turns private is refused the next time', async () => {
    let answer = [v4(PUBLIC_V4)];
    const lookup: Lookup = async () => answer;

    await expect(guardUrl('https://hooks.example.com/', { allowLoopback: false, lookup })).resolves.toMatchObject({ ok: true });
    answer = [v4('127.0.0.1')];
    await expect(guardUrl('https://hooks.example.com/', { allowLoopback: false, lookup })).resolves.toMatchObject({ ok: false, rule: 'non-public-address' });
  });

  it.each([
    ['127.0.0.1', 'a loopback'],
    ['127.255.0.9', 'a loopback'],
    ['10.0.0.8', 'a private'],
    ['172.16.5.4', 'a private'],
    ['172.31.255.255', 'a private'],
    ['192.168.1.1', 'a private'],
    ['169.254.169.254', 'a link-local'],
    ['100.64.0.1', 'a carrier-grade NAT'],
    ['224.0.0.251', 'a multicast'],
    ['255.255.255.255', 'a broadcast'],
    ['0.0.0.0', 'an unspecified'],
    ['0.1.2.3', 'an unspecified'],
    ['240.0.0.1', 'a reserved'],
    ['192.0.2.10', 'a reserved'],
    ['198.18.0.1', 'a reserved'],
    ['[::1]', 'a loopback'],
    ['[::]', 'an unspecified'],
    ['[fc00::1]', 'a unique local'],
    ['[fd00:ec2::254]', 'a unique local'],
    ['[fe80::1]', 'a link-local'],
    ['[fec0::1]', 'a site-local'],
    ['[ff02::1]', 'a multicast'],
    ['[::ffff:127.0.0.1]', 'a loopback'],
    ['[::ffff:10.0.0.8]', 'a private'],
    ['[::ffff:169.254.169.254]', 'a link-local'],
    ['[2002:a00:8::]', 'a 6to4'],
    ['[2001:0:4136:e378:8000:63bf:f5ff:fffe]', 'a Teredo'],
    ['[64:ff9b::a00:8]', 'a NAT64'],
    ['[64:ff9b::5db8:d822]', 'a NAT64'],
    ['[64:ff9b:1::a00:8]', 'a NAT64'],
    ['[::ffff:0:a00:8]', 'an IPv4-translated'],
    ['[::127.0.0.1]', 'a non-global'],
    ['[4000::1]', 'a non-global'],
    ['[2001:db8::1]', 'a reserved'],
    ['[2001:2::1]', 'a benchmarking'],
    ['[100::1]', 'a discard-only'],
  ])('refuses the literal %s (%s address) without any lookup', async (host, words) => {
    const dns = stubLookup({});

    const result = await guardUrl(`https://${host}/hooks`, { allowLoopback: false, lookup: dns.lookup });

    expect(result).toMatchObject({ ok: false, rule: 'non-public-address' });
    expect(!result.ok && result.detail).toMatch(new RegExp(` is ${words} address: only public addresses are accepted$`));
    expect(dns.asked).toEqual([]);
  });

  it('accepts public literals, IPv4-mapped forms of public addresses included, pinned to themselves', async () => {
    await expect(guardUrl(`https://${PUBLIC_V4}/`, { allowLoopback: false, lookup: stubLookup({}).lookup })).resolves.toMatchObject({ ok: true, target: { address: PUBLIC_V4, family: 4 } });
    await expect(guardUrl(`https://[${PUBLIC_V6}]/`, { allowLoopback: false })).resolves.toMatchObject({ ok: true, target: { address: PUBLIC_V6, hostname: PUBLIC_V6, family: 6 } });
    await expect(guardUrl('https://[::ffff:93.184.216.34]/', { allowLoopback: false })).resolves.toMatchObject({ ok: true, target: { address: '::ffff:5db8:d822', family: 6 } });
  });

  it('judges the host WHATWG URL connects to, not text hidden after a backslash', async () => {
    const dns = stubLookup({ 'hooks.example.com': [v4(PUBLIC_V4)] });

    const result = await guardUrl('https://hooks.example.com\\@127.0.0.1/', { allowLoopback: false, lookup: dns.lookup });

    expect(result).toMatchObject({ ok: true, target: { hostname: 'hooks.example.com', address: PUBLIC_V4 } });
  });

  it('refuses a name that does not resolve, or resolves to nothing, as unresolvable', async () => {
    const dns = stubLookup({ 'empty.example.com': [] });

    await expect(guardUrl('https://gone.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toEqual({
      ok: false,
      rule: 'unresolvable',
      detail: 'gone.example.com does not resolve (DNS ENOTFOUND)',
    });
    await expect(guardUrl('https://empty.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toEqual({
      ok: false,
      rule: 'unresolvable',
      detail: 'empty.example.com has no A or AAAA address',
    });
  });

  it('refuses an answer that is not an IP address', async () => {
    const dns = stubLookup({ 'odd.example.com': [v4('not-an-address')] });

    await expect(guardUrl('https://odd.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({ ok: false, rule: 'non-public-address' });
  });

  it('resolves with the system resolver by default: localhost is loopback, so refused', async () => {
    await expect(guardUrl('https://localhost:8443/', { allowLoopback: false })).resolves.toMatchObject({ ok: false, rule: 'non-public-address', detail: expect.stringContaining('a loopback address') });
  });

  it('runs the syntax checks before any lookup', async () => {
    const dns = stubLookup({});

    await expect(guardUrl('https://user:pw@hooks.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({ ok: false, rule: 'userinfo' });
    await expect(guardUrl('http://hooks.example.com/', { allowLoopback: false, lookup: dns.lookup })).resolves.toMatchObject({ ok: false, rule: 'https-required' });
    expect(dns.asked).toEqual([]);
  });

  describe('with loopback allowed (local development)', () => {
    const dns = stubLookup({
      localhost: [v4('127.0.0.1'), v6('::1')],
      'receiver.localhost': [v4('127.0.0.1')],
      'evil.localhost': [v4(PUBLIC_V4)],
      'hooks.example.com': [v4(PUBLIC_V4)],
      'half.example.com': [v4('127.0.0.1'), v4(PUBLIC_V4)],
      'intranet.example.com': [v4('10.0.0.8')],
    });
    const allowed = { allowLoopback: true, lookup: dns.lookup };

    it.each(['http://127.0.0.1:4100/hooks', 'http://[::1]:4100/hooks', 'http://localhost:4100/hooks', 'http://receiver.localhost:4100/hooks', 'https://127.0.0.1:8443/'])('accepts %s', async (raw) => {
      await expect(guardUrl(raw, allowed)).resolves.toMatchObject({ ok: true });
    });

    it('pins a loopback receiver to its address', async () => {
      await expect(guardUrl('http://localhost:4100/hooks', allowed)).resolves.toMatchObject({ ok: true, target: { hostname: 'localhost', address: '127.0.0.1', family: 4, port: 4100 } });
    });

    it('still refuses every other non-public address', async () => {
      await expect(guardUrl('https://10.0.0.8/', allowed)).resolves.toMatchObject({ ok: false, rule: 'non-public-address' });
      await expect(guardUrl('http://169.254.169.254/latest/meta-data/', allowed)).resolves.toMatchObject({ ok: false, rule: 'non-public-address' });
      await expect(guardUrl('http://intranet.example.com:4100/', allowed)).resolves.toMatchObject({ ok: false, rule: 'non-public-address' });
    });

    it('takes http only to hosts whose every address is loopback: a name is not trusted for how it is spelled', async () => {
      await expect(guardUrl('http://hooks.example.com:4100/', allowed)).resolves.toMatchObject({ ok: false, rule: 'https-required' });
      await expect(guardUrl('http://evil.localhost:4100/', allowed)).resolves.toMatchObject({ ok: false, rule: 'https-required' });
      await expect(guardUrl('http://half.example.com:4100/', allowed)).resolves.toMatchObject({ ok: false, rule: 'https-required' });
      await expect(guardUrl('https://hooks.example.com/', allowed)).resolves.toMatchObject({ ok: true });
    });
  });
});
