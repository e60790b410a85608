/** A parser met input it does not recognise. The message names the tool, the line and what was expected. */
export class ParseError extends Error {
  constructor(
    readonly tool: string,
    readonly lineNumber: number | null,
    readonly line: string | null,
    readonly expected: string,
  ) {
    super(
      `${tool}: cannot parse ${lineNumber === null ? 'input' : `line ${lineNumber}`}` +
        (line === null ? '' : ` ${JSON.stringify(line.length > 120 ? line.slice(0, 120) + '…' : line)}`) +
        // `expected` may quote the input (e.g. the header that was found): keep messages short whatever it holds.
        `: expected ${expected.length > 300 ? expected.slice(0, 300) + '…' : expected}`,
    );
    this.name = 'ParseError';
  }
}

/** An error with a message a user can act on (what went wrong, what to do). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
