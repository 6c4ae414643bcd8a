// Source encodings of the NHIS files: CP949 (EUC-KR superset, most years) or UTF-8 with or
// without a byte-order mark. Detection looks at the header, the only non-ASCII line.
import iconv from 'iconv-lite';

export type SourceEncoding = 'utf8' | 'cp949';
export type EncodingOption = 'auto' | SourceEncoding | 'euc-kr';

export interface DetectedEncoding {
  encoding: SourceEncoding;
  /** Bytes of byte-order mark to skip (3 for a UTF-8 BOM, else 0). */
  bomLength: number;
  /** How it was decided, for the run summary. */
  how: 'bom' | 'valid-utf8' | 'ascii' | 'not-utf8' | 'forced';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decides the encoding from the first bytes of the file (at least the whole header line).
 * CP949 text is practically never valid UTF-8 (its lead bytes 0x81–0xFE are followed by bytes
 * that break UTF-8's continuation rules), so a strict UTF-8 decode that succeeds means UTF-8.
 */
export function detectEncoding(head: Uint8Array, forced: EncodingOption = 'auto'): DetectedEncoding {
  const bomLength = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (forced !== 'auto')
    return {
      encoding: forced === 'utf8' ? 'utf8' : 'cp949',
      bomLength: forced === 'utf8' ? bomLength : 0,
      how: 'forced',
    };
  if (bomLength) return { encoding: 'utf8', bomLength, how: 'bom' };
  // Only judge complete lines: a sample cut inside a multi-byte character is not an error.
  const nl = head.lastIndexOf(0x0a);
  const sample = nl >= 0 ? head.subarray(0, nl) : head;
  if (sample.every((b) => b < 0x80)) return { encoding: 'utf8', bomLength: 0, how: 'ascii' };
  try {
    strictUtf8.decode(sample);
    return { encoding: 'utf8', bomLength: 0, how: 'valid-utf8' };
  } catch {
    return { encoding: 'cp949', bomLength: 0, how: 'not-utf8' };
  }
}

export function decodeBytes(bytes: Uint8Array, encoding: SourceEncoding): string {
  if (encoding === 'utf8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp949');
}

export function parseEncodingOption(value: string): EncodingOption {
  const v = value.toLowerCase().replace(/[-_]/g, '');
  if (v === 'auto') return 'auto';
  if (v === 'utf8') return 'utf8';
  if (v === 'cp949' || v === 'euckr' || v === 'ms949' || v === 'uhc') return 'cp949';
  throw new Error(`Unknown --encoding ${value}: use auto, cp949 (or euc-kr) or utf8`);
}
