// Encoding detection of the source files: CP949 (EUC-KR superset), UTF-8 with or without BOM.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes, detectEncoding, parseEncodingOption } from '../../etl/read/encoding.ts';

const HEADER = '기준년도,가입자일련번호,시도코드,성별코드,연령대코드(5세단위)\r\n2024,1,11,1,9\r\n';

describe('detectEncoding', () => {
  it('recognises CP949', () => {
    const bytes = iconv.encode(HEADER, 'cp949');
    expect(detectEncoding(bytes)).toEqual({ encoding: 'cp949', bomLength: 0, how: 'not-utf8' });
    expect(decodeBytes(bytes, 'cp949')).toBe(HEADER);
  });

  it('recognises EUC-KR bytes as CP949 (a superset)', () => {
    const bytes = iconv.encode(HEADER, 'euc-kr');
    expect(detectEncoding(bytes).encoding).toBe('cp949');
  });

  it('recognises UTF-8 with and without BOM', () => {
    expect(detectEncoding(Buffer.from(HEADER, 'utf8'))).toEqual({ encoding: 'utf8', bomLength: 0, how: 'valid-utf8' });
    expect(detectEncoding(Buffer.from(`\ufeff${HEADER}`, 'utf8'))).toEqual({
      encoding: 'utf8',
      bomLength: 3,
      how: 'bom',
    });
  });

  it('ignores a multi-byte character cut at the end of the sample', () => {
    const bytes = Buffer.from(`${HEADER}허리`, 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1)).encoding).toBe('utf8');
  });

  it('obeys a forced encoding', () => {
    const bytes = Buffer.from(`\ufeff${HEADER}`, 'utf8');
    expect(detectEncoding(bytes, 'utf8')).toEqual({ encoding: 'utf8', bomLength: 3, how: 'forced' });
    expect(detectEncoding(Buffer.from(HEADER, 'utf8'), 'cp949').encoding).toBe('cp949');
  });

  it('parses the --encoding option', () => {
    expect(parseEncodingOption('EUC-KR')).toBe('cp949');
    expect(parseEncodingOption('utf-8')).toBe('utf8');
    expect(parseEncodingOption('auto')).toBe('auto');
    expect(() => parseEncodingOption('latin1')).toThrow(/Unknown --encoding/);
  });
});
