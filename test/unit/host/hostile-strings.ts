import fc from 'fast-check';

/** Strings built to break shell quoting: quotes, `$()`, backticks, newlines, `;`, globs… (never NUL). */
const hostileChar = fc.constantFrom(
  "'",
  '"',
  '\\',
  '$',
  '`',
  '(',
  ')',
  ';',
  '&',
  '|',
  '\n',
  '\t',
  ' ',
  '*',
  '?',
  '~',
  '=',
  '{',
  '}',
  '!',
  '#',
  '<',
  '>',
  '%',
  '\r',
  '-',
);

export const hostileString = fc
  .array(
    fc.oneof(
      hostileChar,
      fc.string({ unit: 'grapheme', maxLength: 3 }),
      fc.constantFrom('$(touch x)', '`id`', "'\\''", '--'),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => !s.includes('\0'));
