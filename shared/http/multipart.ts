import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { DocumentTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors';
import { optionalHeader } from './request';
import { parseWith } from './validation';

export interface MultipartFile {
  fileName: string;
  declaredType: string | undefined;
  bytes: Buffer;
}

/**
 * A `multipart/form-data` body with one file part and text fields. The REST API passes it
 * base64-encoded (it is a binary media type there). Parsed by the runtime's own WHATWG form-data
 * parser (`Response.formData()`), not by hand. The raw body is refused over `maxBytes` before
 * parsing; the file's own limit is the caller's to check on the bytes.
 */
export async function parseMultipartBody<S extends z.ZodType>(
  event: APIGatewayProxyEvent,
  { fileField, fields: schema, maxBytes }: { fileField: string; fields: S; maxBytes: number },
): Promise<{ fields: z.infer<S>; file: MultipartFile }> {
  const contentType = optionalHeader(event, 'content-type');
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'multipart/form-data') {
    throw new UnsupportedMediaTypeError(`Content-Type ${contentType ?? '(none)'} is not supported; send multipart/form-data`);
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new DocumentTooLargeError(`Body is ${bytes.length} bytes; the limit is ${maxBytes}`, [{ field: `body.${fileField}`, message: `the upload must be at most ${maxBytes} bytes` }]);
  }
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ValidationError('Body is not valid multipart/form-data', [{ field: 'body', message: 'is not valid multipart/form-data' }]);
  }
  const text: Record<string, string> = {};
  let file: MultipartFile | undefined;
  for (const name of new Set(form.keys())) {
    const values = form.getAll(name);
    if (values.length > 1) throw new ValidationError(`Field ${name} was given more than once`, [{ field: `body.${name}`, message: 'give it once' }]);
    const value = values[0]!;
    if (name === fileField) {
      if (typeof value === 'string') throw new ValidationError(`${fileField} must be a file part`, [{ field: `body.${fileField}`, message: 'must be a file (a part with a filename)' }]);
      file = { fileName: value.name.slice(0, 255) || 'document', declaredType: value.type || undefined, bytes: Buffer.from(await value.arrayBuffer()) };
    } else if (typeof value === 'string') {
      text[name] = value;
    } else {
      throw new ValidationError(`Field ${name} must be text`, [{ field: `body.${name}`, message: 'must be a text field, not a file' }]);
    }
  }
  if (!file) throw new ValidationError(`The ${fileField} part is missing`, [{ field: `body.${fileField}`, message: 'is required' }]);
  return { fields: parseWith(schema, text, 'body'), file };
}
