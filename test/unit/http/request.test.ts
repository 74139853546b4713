import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors';
import { problemFor } from '../../../shared/http/problem';
import { MAX_BODY_BYTES, parseJsonBody, parseQuery, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';

const Body = z.strictObject({ name: z.string().min(1), nested: z.strictObject({ n: z.number() }).optional() });

function event(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    body: null,
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: false,
    path: '/v1/things',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/v1/things',
    requestContext: { requestId: 'req-1', authorizer: { partnerId: 'ptn_a' } } as never,
    ...overrides,
  };
}

describe('parseJsonBody', () => {
  it('parses a valid body, plain or base64-encoded, with any header case and a charset', () => {
    expect(parseJsonBody(event({ body: '{"name":"a"}' }), Body)).toEqual({ name: 'a' });
    const b64 = event({ body: Buffer.from('{"name":"b"}').toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(parseJsonBody(b64, Body)).toEqual({ name: 'b' });
  });

  it('refuses an oversized body before parsing it', () => {
    const big = event({ body: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }) });
    expect(() => parseJsonBody(big, Body)).toThrow(PayloadTooLargeError);
  });

  it.each([undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'])('refuses content type %s', (type) => {
    const e = event({ body: '{"name":"a"}', headers: type ? { 'content-type': type } : {} });
    expect(() => parseJsonBody(e, Body)).toThrow(UnsupportedMediaTypeError);
  });

  it.each(['{', '', 'nul', '{"name":"a",}'])('refuses malformed JSON %p', (body) => {
    expect(() => parseJsonBody(event({ body }), Body)).toThrow(MalformedJsonError);
  });

  it('names each field at fault, including every unknown field', () => {
    try {
      parseJsonBody(event({ body: '{"name":"","partnerId":"ptn_x","status":"active","nested":{"n":"1"}}' }), Body);
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).errors!.map((e) => e.field).sort();
      expect(fields).toEqual(['body.name', 'body.nested.n', 'body.partnerId', 'body.status']);
    }
  });
});

describe('requireEmptyBody', () => {
  it('takes no body or {}', () => {
    expect(() => requireEmptyBody(event({ body: null, headers: {} }))).not.toThrow();
    expect(() => requireEmptyBody(event({ body: '{}' }))).not.toThrow();
  });

  it('refuses anything else as a bad body: a field, a large body, not JSON', () => {
    expect(() => requireEmptyBody(event({ body: '{"force":true}' }))).toThrow(expect.objectContaining({ errors: [{ field: 'body.force', message: expect.any(String) }] }));
    expect(() => requireEmptyBody(event({ body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) }))).toThrow(PayloadTooLargeError);
    expect(() => requireEmptyBody(event({ body: 'force=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))).toThrow(UnsupportedMediaTypeError);
    expect(() => requireEmptyBody(event({ body: '[]' }))).toThrow(ValidationError);
  });
});

describe('pathParam', () => {
  const withParam = (name: string, value: string) => event({ pathParameters: { [name]: value } });

  it('returns an id of its shape', () => {
    expect(pathParam(withParam('id', 'cus_01JF3X0000000000000000ZZZZ'), 'id')).toBe('cus_01JF3X0000000000000000ZZZZ');
    expect(pathParam(withParam('brandId', 'BN0123456789abcdef0123456789abcdef'), 'brandId')).toBe('BN0123456789abcdef0123456789abcdef');
    // A message is ours (msg_…) or, first seen through a webhook, Twilio's SID.
    for (const id of ['msg_01JF3X0000000000000000ZZZZ', `SM${'a'.repeat(32)}`, `MM${'0'.repeat(32)}`]) expect(pathParam(withParam('messageId', id), 'messageId')).toBe(id);
  });

  it.each([
    ['id', 'x'.repeat(1000)],
    ['id', 'cus_short'],
    ['id', 'msg_01JF3X0000000000000000ZZZZ'],
    ['messageId', 'msg_01JF3X0000000000000000ZZZ'],
    ['messageId', `SM${'a'.repeat(31)}`],
    ['messageId', `PN${'a'.repeat(32)}`],
    ['endpointId', `we_${'0'.repeat(1000)}`],
    ['numberId', 'PN0123'],
    ['eventId', `evt_${'1'.repeat(100)}`],
  ])('answers a %s of another shape (%s) with the ordinary 404', (name, value) => {
    expect(() => pathParam(withParam(name, value), name)).toThrow(NotFoundError);
  });
});

describe('parseQuery', () => {
  const Query = z.strictObject({ limit: z.coerce.number().int().max(100).default(10) });
  it('applies defaults and coercion', () => {
    expect(parseQuery(event({ queryStringParameters: { limit: '5' } }), Query)).toEqual({ limit: 5 });
    expect(parseQuery(event({}), Query)).toEqual({ limit: 10 });
  });
  it('refuses repeated, unknown and out-of-range parameters', () => {
    expect(() => parseQuery(event({ queryStringParameters: { limit: '2' }, multiValueQueryStringParameters: { limit: ['1', '2'] } }), Query)).toThrow(ValidationError);
    expect(() => parseQuery(event({ queryStringParameters: { sort: 'x' } }), Query)).toThrow(ValidationError);
    expect(() => parseQuery(event({ queryStringParameters: { limit: '101' } }), Query)).toThrow(ValidationError);
  });
});

describe('partnerIdOf', () => {
  it('refuses an event without an authorizer context', () => {
    expect(() => partnerIdOf(event({ requestContext: { requestId: 'r' } as never }))).toThrow('No authenticated partner');
    expect(partnerIdOf(event({}))).toBe('ptn_a');
  });
});

describe('problemFor', () => {
  it('maps a typed error to problem+json with its status and fields', () => {
    const res = problemFor(new ValidationError('bad', [{ field: 'body.name', message: 'required' }]), 'req-1');
    expect(res.statusCode).toBe(400);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(res.body)).toEqual({
      type: 'https://switchboard.dev/problems/validation-error',
      title: 'Request is not valid',
      status: 400,
      detail: 'bad',
      instance: 'req-1',
      errors: [{ field: 'body.name', message: 'required' }],
    });
    expect(problemFor(new NotFoundError('gone')).statusCode).toBe(404);
  });

  it('reveals nothing about an unexpected error', () => {
    const res = problemFor(new Error('connect ECONNREFUSED 10.0.0.1 token=abc'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(res.body).not.toContain('token');
  });
});
