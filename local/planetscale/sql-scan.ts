// A MySQL lexer just big enough for the gateway's verdicts: words, quoted identifiers, strings, variables and
// punctuation, with comments skipped, so text inside '...' or /* ... */ never passes for a keyword.

/**
 * `word`: keyword, unquoted identifier or number (`upper` is its upper case); `quoted`: a `backtick` identifier
 * (`upper` is its unquoted name as written); `string`: '...' or "..." (ANSI_QUOTES is unsupported on PlanetScale,
 * so double quotes delimit strings); `var`: `@x`, `@'x'`, `@@x`, `@@session.x`; `punct`: one character, or `:=`.
 */
export interface Token {
  type: 'word' | 'quoted' | 'string' | 'var' | 'punct';
  upper: string;
  start: number;
  end: number;
}

/** Whole-statement scans so far (the head of a statement is scanned with a token budget and not counted). */
export const scanCounters = { fullScans: 0 };

const isWordChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 0x80;

/**
 * The tokens of `sql`, at most `maxTokens` of them. Comments follow https://dev.mysql.com/doc/refman/8.0/en/comments.html:
 * `#...`, `-- ...` (a space or control character after the dashes), and `/* ... *\/`, except that the body of an
 * executable comment (`/*! ... *\/`, `/*!80000 ... *\/`, MariaDB's `/*M! ... *\/`) is code, as MySQL runs it.
 * Strings follow https://dev.mysql.com/doc/refman/8.0/en/string-literals.html: backslash escapes and doubled quotes.
 */
export function tokenize(sql: string, maxTokens = Number.POSITIVE_INFINITY): Token[] {
  if (maxTokens === Number.POSITIVE_INFINITY) scanCounters.fullScans += 1;
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  let executable = 0; // open /*! ... */ comments whose body is being read as code
  while (i < n && tokens.length < maxTokens) {
    const c = sql.charCodeAt(i);
    if (c <= 32) {
      i += 1;
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const bang = sql[i + 2] === '!' ? 3 : sql.startsWith('M!', i + 2) ? 4 : 0;
      if (bang) {
        executable += 1;
        i += bang;
        while (i < n && sql.charCodeAt(i) >= 48 && sql.charCodeAt(i) <= 57) i += 1; // version number
      } else {
        const close = sql.indexOf('*/', i + 2);
        i = close < 0 ? n : close + 2;
      }
    } else if (c === 42 /* * */ && executable > 0 && sql.charCodeAt(i + 1) === 47) {
      executable -= 1;
      i += 2;
    } else if (
      c === 35 /* # */ ||
      (c === 45 && sql.charCodeAt(i + 1) === 45 && (i + 2 >= n || sql.charCodeAt(i + 2) <= 32))
    ) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === 39 || c === 34 /* ' " */) {
      const end = skipQuoted(sql, i, c, true);
      tokens.push({ type: 'string', upper: '', start: i, end });
      i = end;
    } else if (c === 96 /* ` */) {
      const end = skipQuoted(sql, i, c, false);
      tokens.push({ type: 'quoted', upper: sql.slice(i + 1, end - 1).replaceAll('``', '`'), start: i, end });
      i = end;
    } else if (c === 64 /* @ */) {
      const end = skipVariable(sql, i);
      tokens.push({ type: 'var', upper: sql.slice(i, end).toUpperCase(), start: i, end });
      i = end;
    } else if (isWordChar(c)) {
      let end = i + 1;
      while (end < n && isWordChar(sql.charCodeAt(end))) end += 1;
      tokens.push({ type: 'word', upper: sql.slice(i, end).toUpperCase(), start: i, end });
      i = end;
    } else {
      const end = c === 58 /* : */ && sql.charCodeAt(i + 1) === 61 /* = */ ? i + 2 : i + 1;
      tokens.push({ type: 'punct', upper: sql.slice(i, end), start: i, end });
      i = end;
    }
  }
  return tokens;
}

/** The index just past a quoted string or identifier starting at `start` (unterminated: the end of `sql`). */
function skipQuoted(sql: string, start: number, quote: number, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (backslash && c === 92) i += 2;
    else if (c !== quote) i += 1;
    else if (sql.charCodeAt(i + 1) === quote) i += 2;
    else return i + 1;
  }
  return sql.length;
}

/** `@name`, `@'name'`, `@@name`, `@@scope.name`: https://dev.mysql.com/doc/refman/8.0/en/user-variables.html */
function skipVariable(sql: string, start: number): number {
  let i = start + 1;
  if (sql.charCodeAt(i) === 64) i += 1;
  const q = sql.charCodeAt(i);
  if (q === 39 || q === 34 || q === 96) return skipQuoted(sql, i, q, q !== 96);
  while (i < sql.length && (isWordChar(sql.charCodeAt(i)) || sql.charCodeAt(i) === 46)) i += 1;
  return i;
}

/** Upper-case words of the first `count` tokens (other tokens as their text), for head rules. */
export function headWords(sql: string, count: number): string[] {
  return tokenize(sql, count).map((t) => t.upper);
}
