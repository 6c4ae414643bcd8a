// Reads a JSON request body under the contract's rules: 413 over the size limit, 415 unless
// the Content-Type is JSON (even if the body would parse), 400 for malformed JSON.
import type { Context } from 'hono';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './errors.ts';

export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody(c: Context, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) throw unsupportedMediaType();
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw badRequest('Request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message}`);
  }
}
