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
import { MAX_BODY_BYTES, parseJsonBody, parseQuery, partnerIdOf } from '../../../shared/http/request';

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
