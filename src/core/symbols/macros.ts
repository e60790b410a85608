/**
 * Macros around definitions confuse a parser that does not preprocess: `API int f()` (an attribute
 * macro), `BEGIN_NAMESPACE(x) … END_NAMESPACE`. Before parsing, this module rewrites such uses in
 * place — never changing the text's length or line structure, so every position in the tree is still a
 * position in the user's file:
 *  - attribute-like macros (their body is only attributes/specifiers, or empty) become spaces;
 *  - structural macros (their body opens/closes a namespace or `extern "C"` block) are expanded when the
 *    expansion fits in the invocation's width (padded with spaces);
 *  - an unknown ALL_CAPS word that starts a declaration line (`EXPORT int f(…)`) becomes spaces.
 */

export interface MacroDefinition {
  name: string;
  params: string[] | null;
  body: string;
}

export type MacroKind = 'attribute' | 'structural' | 'other';

export interface MacroTable {
  kinds: Map<string, MacroKind>;
  defs: Map<string, MacroDefinition>;
}

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(([^)]*)\))?[ \t]*(.*)$/;

/** The `#define`s of one file (continuation lines joined). */
export function collectMacros(text: string): MacroDefinition[] {
  if (!text.includes('define')) return [];
  const out: MacroDefinition[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (!line.includes('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i];
    const m = DEFINE.exec(line.length > 4096 ? line.slice(0, 4096) : line);
    if (!m) continue;
    const params =
      m[2] !== undefined
        ? m[3]
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
        : null;
    out.push({
      name: m[1],
      params,
      body: m[4]
        .replace(/\/\/.*$/, '')
        .replace(/\/\*.*?\*\//g, '')
        .trim(),
    });
  }
  return out;
}

const SPECIFIER_WORDS = new Set([
  'inline',
  'static',
  'extern',
  'constexpr',
  'consteval',
  'virtual',
  'explicit',
  'noexcept',
  'thread_local',
  '__inline',
  '__inline__',
  '__forceinline',
  '__extension__',
]);

/** Removes balanced `(…)` after position `i` (which must be `(`); returns the index after it, or -1. */
function skipParens(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '(') depth++;
    else if (s[j] === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

function isAttributeBody(body: string, attributeMacros: ReadonlySet<string>): boolean {
  let rest = body.trim();
  for (let guard = 0; guard < 64 && rest.length > 0; guard++) {
    const word = /^[A-Za-z_]\w*/.exec(rest)?.[0];
    if (rest.startsWith('[[')) {
      const end = rest.indexOf(']]');
      if (end < 0) return false;
      rest = rest.slice(end + 2).trim();
      continue;
    }
    if (!word) return false;
    if (word === '__attribute__' || word === '__attribute' || word === '__declspec' || word === 'alignas') {
      const open = rest.indexOf('(');
      if (open < 0) return false;
      const end = skipParens(rest, open);
      if (end < 0) return false;
      rest = rest.slice(end).trim();
      continue;
    }
    if (SPECIFIER_WORDS.has(word) || attributeMacros.has(word)) {
      rest = rest.slice(word.length).trim();
      continue;
    }
    return false;
  }
  return rest.length === 0;
}

function isStructuralBody(body: string): boolean {
  if (!body.includes('{') && !body.includes('}')) return false;
  // Only namespace / extern "C" openers and closers, nothing that could be code.
  return /^(\s*(namespace(\s+[A-Za-z_][\w:]*)?\s*\{|inline\s+namespace\s+[A-Za-z_]\w*\s*\{|extern\s+"C(\+\+)?"\s*\{|\}))+\s*$/.test(
    body.length > 512 ? '' : body,
  );
}

/** Classifies a set of macro definitions (attribute macros may be built from other attribute macros). */
export function buildMacroTable(defs: Iterable<MacroDefinition>): MacroTable {
  const table: MacroTable = { kinds: new Map(), defs: new Map() };
  for (const d of defs) table.defs.set(d.name, d);
  const attribute = new Set<string>();
  for (let round = 0; round < 6; round++) {
    let changed = false;
    for (const d of table.defs.values()) {
      if (attribute.has(d.name)) continue;
      if (isAttributeBody(d.body, attribute)) {
        attribute.add(d.name);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const d of table.defs.values()) {
    table.kinds.set(d.name, attribute.has(d.name) ? 'attribute' : isStructuralBody(d.body) ? 'structural' : 'other');
  }
  return table;
}

function expand(def: MacroDefinition, args: string[]): string {
  let body = def.body;
  def.params?.forEach((p, i) => {
    body = body.replace(new RegExp(`\\b${p.replace(/[^\w]/g, '')}\\b`, 'g'), args[i] ?? '');
  });
  return body.replace(/\s+/g, ' ').trim();
}

const ALL_CAPS = /^[A-Z][A-Z0-9_]{2,}$/;
const IDENT = /[A-Za-z_]\w*/y;

/** Rewrites macro uses in `text` without changing its length or line breaks. */
export function neutralizeMacros(text: string, table: MacroTable): string {
  if (!mayNeedRewrite(text, table)) return text;
  const lines = text.split('\n');
  let changed = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.length === 0 || line.length > 2000) continue;
    const out = rewriteLine(line, table);
    if (out !== line) {
      lines[n] = out;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}

const LEADING_CAPS = /^[ \t]*[A-Z][A-Z0-9_]{2,}[ \t]+[A-Za-z_:~]/m;
const tableWords = new WeakMap<MacroTable, RegExp | null>();

/** Cheap whole-text check: an all-caps word starting a line, or a use of a macro the table rewrites. */
function mayNeedRewrite(text: string, table: MacroTable): boolean {
  if (LEADING_CAPS.test(text)) return true;
  let re = tableWords.get(table);
  if (re === undefined) {
    const names = [...table.kinds].filter(([, k]) => k !== 'other').map(([n]) => n);
    re = names.length > 0 ? new RegExp(`\\b(?:${names.join('|')})\\b`) : null;
    tableWords.set(table, re);
  }
  return re !== null && re.test(text);
}

function blank(s: string, from: number, to: number): string {
  return s.slice(0, from) + ' '.repeat(to - from) + s.slice(to);
}

function rewriteLine(line: string, table: MacroTable): string {
  let s = line;
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  if (s[i] === '#' || s.startsWith('//', i)) return line;
  const lineStart = i;
  let atStart = true;
  while (i < s.length) {
    IDENT.lastIndex = i;
    const m = IDENT.exec(s);
    if (!m) {
      i++;
      atStart = false;
      continue;
    }
    const word = m[0];
    const end = i + word.length;
    const kind = table.kinds.get(word);
    const def = table.defs.get(word);
    if (kind === 'attribute' && def) {
      let stop = end;
      if (def.params) {
        let k = end;
        while (s[k] === ' ') k++;
        if (s[k] === '(') stop = skipParens(s, k);
        if (stop < 0) return s;
      }
      s = blank(s, i, stop);
      i = stop;
      continue;
    }
    if (kind === 'structural' && def && i === lineStart) {
      let stop = end;
      let args: string[] = [];
      if (def.params) {
        let k = end;
        while (s[k] === ' ') k++;
        if (s[k] !== '(') return s;
        stop = skipParens(s, k);
        if (stop < 0) return s;
        args = s
          .slice(k + 1, stop - 1)
          .split(',')
          .map((a) => a.trim());
      }
      const expansion = expand(def, args);
      if (expansion.length <= stop - i) s = s.slice(0, i) + expansion.padEnd(stop - i, ' ') + s.slice(stop);
      return s;
    }
    if (atStart && kind === undefined && ALL_CAPS.test(word)) {
      // `EXPORT int f(…)`, `HOT static void g()`: an unknown all-caps word before a declaration.
      let k = end;
      while (s[k] === ' ' || s[k] === '\t') k++;
      if (k > end && /[A-Za-z_:~]/.test(s[k] ?? '') && s.includes('(', k)) {
        s = blank(s, i, end);
        i = k;
        continue;
      }
    }
    atStart = false;
    // Only leading words matter for unknown macros; known attribute macros are blanked anywhere.
    i = end;
  }
  return s;
}
