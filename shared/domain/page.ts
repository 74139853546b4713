import { z } from 'zod';

/** Page sizes of every list route (GET /v1/events reads its own log with `after` = a log cursor). */
export const PAGE_LIMIT_DEFAULT = 25;
export const PAGE_LIMIT_MAX = 100;

/** The `limit` and `cursor` query parameters every list route takes; spread into its strict query schema. */
export function pageQuery(defaultLimit: number = PAGE_LIMIT_DEFAULT) {
  return {
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(PAGE_LIMIT_MAX)
      .default(defaultLimit)
      .describe(`Items per page: 1 to ${PAGE_LIMIT_MAX}, default ${defaultLimit}`),
    cursor: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe('The `nextCursor` of the previous page of the same list (opaque); omit it for the first page'),
  };
}

export const PageQuerySchema = z.strictObject(pageQuery());
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** The response of every list route: one page of `item`s and the cursor of the next page. */
export function pageOf<T extends z.ZodType>(item: T, order?: string) {
  return z.object({
    data: order ? z.array(item).describe(order) : z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page (there is never an empty last page)'),
  });
}
