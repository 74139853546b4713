import type { Route } from './context';

export interface RouteMatch {
  route: Route;
  pathParams: Record<string, string>;
}

/** Segment-by-segment matching; `{Name}` captures one segment. Literal routes win over captures. */
export class Router {
  private readonly compiled: Array<{ route: Route; segments: string[]; literals: number }>;

  constructor(routes: Route[]) {
    this.compiled = routes
      .map((route) => {
        const segments = route.pattern.split('/').filter(Boolean);
        return { route, segments, literals: segments.filter((s) => !s.includes('{')).length };
      })
      .sort((a, b) => b.literals - a.literals);
  }

  match(method: string, host: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const { route, segments } of this.compiled) {
      if (route.method !== method || route.host !== host || segments.length !== parts.length) continue;
      const pathParams = matchSegments(segments, parts);
      if (pathParams) return { route, pathParams };
    }
    return undefined;
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = decodeURIComponent(parts[i]!);
    // A capture may carry a suffix, e.g. `{Sid}.json`.
    const capture = /^\{(\w+)\}(.*)$/.exec(segment);
    if (!capture) {
      if (segment !== part) return undefined;
      continue;
    }
    const suffix = capture[2]!;
    if (!part.endsWith(suffix) || part.length === suffix.length) return undefined;
    params[capture[1]!] = part.slice(0, part.length - suffix.length);
  }
  return params;
}
