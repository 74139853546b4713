/** v2010 renders dates in RFC 2822 with a numeric zone, the newer hosts in ISO 8601 without millis. */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

export function iso8601(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface PageRequest {
  page: number;
  pageSize: number;
}

export function pageOf(params: Record<string, string | string[]>): PageRequest {
  const size = Number(first(params.PageSize) ?? 50);
  const page = Number(first(params.Page) ?? 0);
  return {
    pageSize: Number.isFinite(size) && size > 0 ? Math.min(Math.floor(size), 1000) : 50,
    page: Number.isFinite(page) && page >= 0 ? Math.floor(page) : 0,
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function withPage(base: string, query: Record<string, string>, page: number, pageSize: number): string {
  const q = new URLSearchParams({ ...query, PageSize: String(pageSize), Page: String(page) });
  return `${base}?${q.toString()}`;
}

/** The 2010 API envelope: the key names the resource, URIs are host-relative. */
export function v2010Page<T>(key: string, uriPath: string, items: T[], req: PageRequest, filters: Record<string, string> = {}): Record<string, unknown> {
  const start = req.page * req.pageSize;
  const slice = items.slice(start, start + req.pageSize);
  const hasNext = start + req.pageSize < items.length;
  return {
    [key]: slice,
    end: start + Math.max(slice.length - 1, 0),
    first_page_uri: withPage(uriPath, filters, 0, req.pageSize),
    next_page_uri: hasNext ? withPage(uriPath, filters, req.page + 1, req.pageSize) : null,
    page: req.page,
    page_size: req.pageSize,
    previous_page_uri: req.page > 0 ? withPage(uriPath, filters, req.page - 1, req.pageSize) : null,
    start,
    uri: withPage(uriPath, filters, req.page, req.pageSize),
  };
}

/** The v1/v2 envelope: absolute URLs and a `meta` block that names the item key. */
export function metaPage<T>(key: string, url: string, items: T[], req: PageRequest, filters: Record<string, string> = {}): Record<string, unknown> {
  const start = req.page * req.pageSize;
  const slice = items.slice(start, start + req.pageSize);
  const hasNext = start + req.pageSize < items.length;
  return {
    [key]: slice,
    meta: {
      page: req.page,
      page_size: req.pageSize,
      first_page_url: withPage(url, filters, 0, req.pageSize),
      previous_page_url: req.page > 0 ? withPage(url, filters, req.page - 1, req.pageSize) : null,
      url: withPage(url, filters, req.page, req.pageSize),
      next_page_url: hasNext ? withPage(url, filters, req.page + 1, req.pageSize) : null,
      key,
    },
  };
}
