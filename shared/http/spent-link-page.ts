import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';

/** q of one media range in an Accept header (`text/html;q=0.8` → 0.8; 1 without q). */
function qualityOf(range: string): number {
  const q = /;\s*q=([0-9.]+)/i.exec(range);
  const value = q ? Number(q[1]) : 1;
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
}

/**
 * Whether the request's Accept prefers an HTML page to problem+json: a browser following a link
 * does (`text/html,…,*\/*;q=0.8`); curl (`*\/*`), fetch defaults and API clients do not. Only an
 * explicit `text/html` or `text/*` counts for the page; a wildcard alone keeps the API's answer.
 */
export function prefersHtml(accept: readonly string[]): boolean {
  let html = 0;
  let problem = 0;
  for (const range of accept.flatMap((value) => value.split(','))) {
    const type = range.split(';')[0]!.trim().toLowerCase();
    const q = qualityOf(range);
    if (type === 'text/html' || type === 'text/*') html = Math.max(html, q);
    if (type === 'application/problem+json' || type === 'application/json' || type === 'application/*' || type === '*/*') problem = Math.max(problem, q);
  }
  return html > 0 && html > problem;
}

const STYLE = [
  'body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#1b1f24;background:#f6f7f9}',
  'main{max-width:36rem;margin:0 auto;padding:2rem 1rem}',
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}',
  'a{color:#0b3d91}',
  'a:focus-visible{outline:3px solid #f0b400;outline-offset:2px}',
].join('');

/** The page allows exactly its own style block and nothing else: no script, no other source, no framing. */
const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Link already used or expired</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>This link has already been used or has expired</h1>
<p>Each sign-in link opens the portal once, and only for a limited time.</p>
<p>To sign in, ask your provider for a new link.</p>
<p>If you opened this link a moment ago in this browser, you may still be signed in: <a href="/portal/">go to the portal</a>.</p>
</main>
</body>
</html>
`;

/**
 * What a person who clicks a used or expired portal link sees: a small page that says so and what
 * to do, with the same status (410) the API answers. Never cached (the same address worked once),
 * and no referrer: the address carries the link's token.
 */
export function spentLinkPage(): APIGatewayProxyResult {
  return {
    statusCode: 410,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    },
    body: PAGE,
  };
}
