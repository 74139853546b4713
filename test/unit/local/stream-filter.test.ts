import { catalog } from '../../../infra/catalog';
import { functionsOf, projectCatalog } from '../../../infra/local/local-catalog';
import { matchesFilter, streamFilterPattern, type FilterPattern } from '../../../infra/local/streams';

/** The local stream poller's filter: the subset of Lambda's event filtering patterns the catalog uses. */
const partnerEvents = streamFilterPattern({ entity: ['PartnerEvent'], eventName: ['INSERT'] });
const record = (eventName: string, image: Record<string, unknown> | undefined) => ({
  eventID: '1',
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: { Keys: { pk: { S: 'p' }, sk: { S: 's' } }, ...(image ? { NewImage: image } : {}), SequenceNumber: '000000000000000000001', StreamViewType: 'NEW_IMAGE' },
});

describe('stream filter patterns', () => {
  it('is the pattern the stack sends as FilterCriteria for a tableStream trigger', () => {
    expect(partnerEvents).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['PartnerEvent'] } } } });
    expect(streamFilterPattern({ entity: ['A', 'B'], eventName: ['INSERT', 'MODIFY'] })).toEqual({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['A', 'B'] } } } });
    // Every stream function of the project catalog gets a pattern this matcher accepts.
    for (const fn of functionsOf(projectCatalog, 'tableStream')) expect(() => matchesFilter(streamFilterPattern(fn.trigger.filter), {})).not.toThrow();
    expect(catalog.some((fn) => fn.trigger.kind === 'tableStream')).toBe(true);
  });

  it('passes an inserted row of a listed entity, whatever else the record or image holds', () => {
    expect(matchesFilter(partnerEvents, record('INSERT', { entity: { S: 'PartnerEvent' }, pk: { S: 'x' }, data: { M: { a: { N: '1' } } } }))).toBe(true);
  });

  it.each([
    ['another change kind', record('MODIFY', { entity: { S: 'PartnerEvent' } })],
    ['another entity', record('INSERT', { entity: { S: 'Message' } })],
    ['an entity of another type (N, not S)', record('INSERT', { entity: { N: 'PartnerEvent' } })],
    ['no entity', record('INSERT', { pk: { S: 'x' } })],
    ['no new image (a REMOVE, or a keys-only stream)', record('INSERT', undefined)],
    ['a case variant', record('INSERT', { entity: { S: 'partnerevent' } })],
    ['a list where an object is expected', { eventName: 'INSERT', dynamodb: [{ NewImage: { entity: { S: 'PartnerEvent' } } }] }],
    ['nothing', undefined],
  ])('refuses %s', (_name, value) => {
    expect(matchesFilter(partnerEvents, value)).toBe(false);
  });

  it('matches any listed value, and any element of an array value', () => {
    const pattern: FilterPattern = { kind: ['a', 'b'], size: [3], on: [true], gone: [null] };
    expect(matchesFilter(pattern, { kind: 'b', size: 3, on: true, gone: null })).toBe(true);
    expect(matchesFilter(pattern, { kind: ['x', 'a'], size: 3, on: true, gone: null })).toBe(true);
    expect(matchesFilter(pattern, { kind: 'c', size: 3, on: true, gone: null })).toBe(false);
    // Exact: the string "3" is not the number 3, a missing field is not null.
    expect(matchesFilter(pattern, { kind: 'a', size: '3', on: true, gone: null })).toBe(false);
    expect(matchesFilter(pattern, { kind: 'a', size: 3, on: true })).toBe(false);
  });

  it('refuses patterns outside the subset instead of half-applying them', () => {
    expect(() => matchesFilter({ entity: [{ prefix: 'Partner' }] } as never, { entity: 'PartnerEvent' })).toThrow(/only exact values/);
    // Checked whole, even where the value would match an earlier entry or field.
    expect(() => matchesFilter({ entity: ['PartnerEvent', { prefix: 'Partner' }] } as never, { entity: 'PartnerEvent' })).toThrow(/'entity': only exact values/);
    expect(() => matchesFilter({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [{ 'anything-but': 'x' }] } } } } as never, { eventName: 'MODIFY' })).toThrow(
      /'dynamodb.NewImage.entity.S'/,
    );
    expect(() => matchesFilter({ entity: [] }, { entity: 'x' })).toThrow(/empty list/);
    expect(() => matchesFilter({ entity: 'PartnerEvent' } as never, { entity: 'PartnerEvent' })).toThrow(/list of values or a nested pattern/);
  });
});
