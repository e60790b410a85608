/**
 * Splits a script's output into sections: a line `@name` or `@name value` starts section `name`; the
 * lines up to the next `@` line belong to it. Inline values (`@paranoid 2`) are kept apart.
 */
export interface Sections {
  lines: Map<string, string[]>;
  values: Map<string, string>;
}

export function splitSections(text: string, known?: ReadonlySet<string>): Sections {
  const lines = new Map<string, string[]>();
  const values = new Map<string, string>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const m = /^@([a-z][a-z0-9-]*)(?: (.*))?$/.exec(line);
    if (m && (!known || known.has(m[1]))) {
      current = [];
      lines.set(m[1], current);
      if (m[2] !== undefined) values.set(m[1], m[2]);
      continue;
    }
    current?.push(line);
  }
  return { lines, values };
}
