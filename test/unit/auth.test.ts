// The API-key comparison: exact match against any configured key, nothing else.
import { describe, expect, it } from 'vitest';
import { matchApiKey } from '../../src/http/auth.ts';

describe('matchApiKey', () => {
  const keys = ['local-dev-key', 'rotated-key-2', 'kéy-ü'];

  it('accepts each configured key exactly', () => {
    for (const k of keys) expect(matchApiKey(keys, k)).toBe(true);
  });

  it('rejects missing, empty, prefix, longer and one-unit-off keys', () => {
    for (const given of [
      undefined,
      '',
      'local-dev-ke',
      'local-dev-keyy',
      'local-dev-kez',
      'Local-dev-key',
      'rotated-key-',
      'key-ü',
      'kéy-u',
      'local-dev-key\0',
    ]) {
      expect(matchApiKey(keys, given)).toBe(false);
    }
  });

  it('accepts nothing when no key is configured', () => {
    expect(matchApiKey([], 'local-dev-key')).toBe(false);
  });
});
