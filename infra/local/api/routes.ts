import { matchPath } from '../../catalog';
import { functionsOf, type LocalCatalog, type WithTrigger } from '../local-catalog';

export type RouteMatch =
  | { kind: 'route'; fn: WithTrigger<'api'>; resource: string; pathParameters: Record<string, string> | null }
  | { kind: 'fallback'; resource: string; pathParameters: Record<string, string> | null };

/** The catch-all resource the deployed API sends unknown paths to. */
export const CATCH_ALL = '/{proxy+}';

/**
 * Resolves a request like API Gateway does: first the resource (a literal segment beats a
 * `{param}` at the same position), then the method on it. A known resource without the method
 * goes to the route fallback as that resource's ANY method (→ 405 with Allow); an unknown path
 * goes to the catch-all (→ 404).
 */
export function createRouter(local: LocalCatalog): (method: string, path: string) => RouteMatch {
  const byTemplate = new Map<string, WithTrigger<'api'>[]>();
  for (const fn of functionsOf(local, 'api')) byTemplate.set(fn.trigger.path, [...(byTemplate.get(fn.trigger.path) ?? []), fn]);
  const templates = [...byTemplate.keys()].sort(bySpecificity);

  return (method, path) => {
    for (const template of templates) {
      const params = matchPath(template, path);
      if (!params) continue;
      const pathParameters = Object.keys(params).length ? params : null;
      const fn = byTemplate.get(template)!.find((f) => f.trigger.method === method);
      return fn ? { kind: 'route', fn, resource: template, pathParameters } : { kind: 'fallback', resource: template, pathParameters };
    }
    return { kind: 'fallback', resource: CATCH_ALL, pathParameters: { proxy: path.replace(/^\//, '') } };
  };
}

function bySpecificity(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const pa = sa[i]!.startsWith('{') ? 1 : 0;
    const pb = sb[i]!.startsWith('{') ? 1 : 0;
    if (pa !== pb) return pa - pb;
  }
  return sb.length - sa.length;
}
