import { createHash } from 'node:crypto';
import { prefersHtml, spentLinkPage } from '../../../shared/http/spent-link-page';

describe('content negotiation for a spent portal link', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true], // Chromium following a link
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], // Firefox
    ['text/html', true],
    ['text/*, application/json;q=0.5', true],
    ['*/*', false], // curl, fetch
    ['application/json', false],
    ['application/problem+json', false],
    ['text/html;q=0.5, application/problem+json', false],
    ['text/html;q=0.8, */*', false],
    ['text/html;q=0', false],
    ['', false],
  ])('Accept %j prefers the page: %s', (accept, expected) => {
    expect(prefersHtml([accept])).toBe(expected);
  });

  it('reads every Accept header the request carried', () => {
    expect(prefersHtml([])).toBe(false);
    expect(prefersHtml(['application/xml', 'text/html'])).toBe(true);
  });
});

describe('the spent link page', () => {
  const page = spentLinkPage();
  const html = page.body;

  it('is a 410 that is never cached, sends no referrer and cannot be framed', () => {
    expect(page.statusCode).toBe(410);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it('says what happened and what to do, in a titled English page with one h1', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('<h1>This link has already been used or has expired</h1>');
    expect(html).toContain('ask your provider for a new link');
    expect(html).toContain('<a href="/portal/">');
  });

  it('carries no script and no inline style attribute; its CSP allows exactly its one style block', () => {
    expect(html).not.toMatch(/<script|\son[a-z]+=|style="/i);
    const blocks = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const hash = createHash('sha256').update(blocks[0]!).digest('base64');
    expect(page.headers!['content-security-policy']).toBe(`default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
  });
});
