/** Strings that have broken services before: injection metacharacters, Unicode edge cases, sizes. */
export const HOSTILE_STRINGS: string[] = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '\\',
  '%',
  '_',
  '%_%',
  '*)(uid=*))(|(uid=*',
  '*',
  '(|(objectClass=*))',
  'cn=admin,dc=example,dc=com',
  '\\2a\\28\\29',
  '(a+)+$',
  '.*',
  '[',
  '^$|',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\u202eevil',
  '\u05e9\u05dc\u05d5\u05dd',
  'a\u200bb',
  '\u200d\ufeff',
  '\ufffe\uffff',
  'İı',
  'ﬀ',
  'e\u0301',
  '𝒜𝔅',
  '👩‍👩‍👧‍👦',
  '\r\n\r\nX-Injected: 1',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '   ',
  ' admin',
  'ADMIN',
  'x'.repeat(10_000),
  'é'.repeat(70_000),
];

/** Path segments sent as they are: malformed or sneaky percent-encodings. */
export const RAW_SEGMENTS: string[] = [
  '%',
  '%zz',
  '%00',
  '%ED%A0%80',
  '%C0%AF',
  '..%2F..%2Fadmin',
  '%2e%2e',
  '%20',
  '.',
  '..',
];

/** Percent-encodes a value for a URL; lone surrogates (which encodeURIComponent refuses) become invalid UTF-8. */
export function encodeSegment(value: string): string {
  let out = '';
  for (const char of value) {
    try {
      out += encodeURIComponent(char);
    } catch {
      out += '%ED%A0%80';
    }
  }
  return out;
}
