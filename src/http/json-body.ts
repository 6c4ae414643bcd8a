// Reads a JSON request body under the contract's rules: 413 over the size limit, 415 unless
// the Content-Type is JSON (even if the body would parse), 400 for malformed JSON.
import type { Context } from 'hono';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors.ts';

export const MAX_BODY_BYTES = 16 * 1024;

const encoder = new TextEncoder();

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody(c: Context, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) throw unsupportedMediaType();
  // The runtime decodes the body natively; a UTF-8 character is 1–4 bytes, so the exact byte
  // count is only needed when the text could be over the limit.
  const text = await c.req.text();
  if (text.length > maxBytes || (text.length * 4 > maxBytes && encoder.encode(text).byteLength > maxBytes)) {
    throw payloadTooLarge(maxBytes);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message}`);
  }
}
