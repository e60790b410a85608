/**
 * Normalisation of the symbol names perf prints (demangled C++, C, Rust, Go, raw addresses) into a
 * scope path that can be compared with definitions found in source.
 *
 * Everything here is a single left-to-right or right-to-left scan with explicit bracket stacks: no
 * regular expression with nested quantifiers touches the untrusted part of a name, so a hostile or
 * 20-deep template name costs linear time and never throws. Unbalanced brackets are tolerated (an
 * unmatched closer is ignored, an unclosed opener swallows the rest of its component).
 */

export type SymbolLanguage = 'cpp' | 'c' | 'rust' | 'go' | 'unknown';

export type CoroutinePart = 'actor' | 'destroy' | 'resume' | 'cleanup';

export interface NormalizedSymbol {
  /** The name exactly as perf printed it. */
  raw: string;
  language: SymbolLanguage;
  /**
   * Scope path without return type, template arguments, parameter lists, ABI tags, clone suffixes and
   * anonymous namespaces: `['IoUringExecutor', 'scheduleOn']`. For a lambda, the path of the function
   * that contains it (see `lambda`).
   */
  path: string[];
  /** Template arguments of each `path` element as written (`<int,12>`, whitespace removed), or null. */
  templateArgs: Array<string | null>;
  /** Last element of `path` ('' when there is none). */
  name: string;
  /** `path` joined with `::` (for display and as a map key). */
  qualifiedName: string;
  /** Parameter types of the function (outermost for lambdas), as perf printed them; null when absent. */
  params: string[] | null;
  /** The symbol lives in (or below) an anonymous namespace. */
  anonymousNamespace: boolean;
  /**
   * The symbol is the body of a lambda defined inside `path`. From outer to inner: GCC's `#N`
   * (`indices`, null when absent) and each lambda's parameter-type key (`signatures`, see `paramKey`).
   */
  lambda: { indices: Array<number | null>; signatures: string[] } | null;
  /** Clone suffixes perf showed, in order: `.actor`, `.cold`, `.isra.0`, … */
  clones: string[];
  /** Which part of a split coroutine this is, when the clone suffixes say so. */
  coroutinePart: CoroutinePart | null;
  /** `virtual thunk to …` and friends: the thunk forwards to `path`. */
  thunk: boolean;
  /** Why this can never be a C/C++ function in the workspace, or null when it may be. */
  unmappable: string | null;
}

/** Longer names are not analysed (perf can print multi-KB template names; beyond this they are noise). */
export const MAX_SYMBOL_LENGTH = 16_384;

const CLONE_WORDS = new Set([
  'cold',
  'part',
  'isra',
  'constprop',
  'lto_priv',
  'llvm',
  'resume',
  'destroy',
  'cleanup',
  'actor',
  'localalias',
  'specialized',
  'clone',
]);

const COROUTINE_PARTS: Record<string, CoroutinePart> = {
  actor: 'actor',
  destroy: 'destroy',
  resume: 'resume',
  cleanup: 'cleanup',
};

const NOT_FUNCTION_PREFIXES = [
  'vtable for ',
  'construction vtable for ',
  'VTT for ',
  'typeinfo for ',
  'typeinfo name for ',
  'guard variable for ',
  'reference temporary ',
  'TLS init function for ',
  'TLS wrapper function for ',
  'hidden alias for ',
];

const THUNK_PREFIXES = [
  'non-virtual thunk to ',
  'virtual thunk to ',
  'covariant return thunk to ',
  'transaction clone for ',
];

function empty(raw: string, language: SymbolLanguage, unmappable: string | null): NormalizedSymbol {
  return {
    raw,
    language,
    path: [],
    templateArgs: [],
    name: '',
    qualifiedName: '',
    params: null,
    anonymousNamespace: false,
    lambda: null,
    clones: [],
    coroutinePart: null,
    thunk: false,
    unmappable,
  };
}

function isIdentChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === '_' || c === '$'
  );
}

function isHexString(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!/[0-9a-fA-F]/.test(c)) return false;
  return true;
}

/** Strips trailing ` [clone .x]` groups and bare `.cold`/`.isra.0`-style suffixes; returns them in source order. */
function stripClones(s: string): { rest: string; clones: string[] } {
  const clones: string[] = [];
  let rest = s.trimEnd();
  for (let guard = 0; guard < 64; guard++) {
    if (rest.endsWith(']')) {
      const open = rest.lastIndexOf('[clone ');
      if (open >= 0 && rest.indexOf(']', open) === rest.length - 1) {
        const inner = rest.slice(open + '[clone '.length, -1).trim();
        if (inner.startsWith('.') && !/\s/.test(inner)) {
          clones.unshift(inner);
          rest = rest.slice(0, open).trimEnd();
          continue;
        }
      }
    }
    // Bare suffix on the last identifier, e.g. `foo.part.0`, `main.cold`, `_Z3fooi.isra.0`.
    const bare = bareCloneSuffix(rest);
    if (bare > 0) {
      clones.unshift(rest.slice(bare));
      rest = rest.slice(0, bare);
      continue;
    }
    break;
  }
  return { rest, clones };
}

/** Index where a trailing `.word(.digits)*` clone suffix starts, or -1. */
function bareCloneSuffix(s: string): number {
  let end = s.length;
  // Trailing `.digits` groups.
  let i = end;
  for (;;) {
    let j = i;
    while (j > 0 && s.charCodeAt(j - 1) >= 48 && s.charCodeAt(j - 1) <= 57) j--;
    if (j < i && j > 0 && s[j - 1] === '.') {
      i = j - 1;
      continue;
    }
    break;
  }
  let j = i;
  while (j > 0 && (isIdentChar(s[j - 1]) || s[j - 1] === '_')) j--;
  if (j === i || j === 0 || s[j - 1] !== '.') return -1;
  const word = s.slice(j, i);
  if (!CLONE_WORDS.has(word)) return -1;
  // `llvm.` is always followed by digits; `part`, `isra`, `constprop` by one number.
  end = j - 1;
  return end === 0 ? -1 : end;
}

const OPEN: Record<string, string> = { '(': ')', '<': '>', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', '>': '<', ']': '[', '}': '{' };

/**
 * Bracket tracking shared by every scan here. `<` and `>` only count outside parentheses so that
 * `decltype(a>b)` or `foo<(1>2)>` do not derail it; unmatched closers are ignored.
 */
class Brackets {
  private stack: string[] = [];
  private counts: Record<string, number> = { '(': 0, '<': 0, '[': 0, '{': 0 };

  get depth(): number {
    return this.stack.length;
  }

  get top(): string | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Feeds one character; returns true when it was consumed as a bracket. */
  feed(c: string, prev: string | undefined): boolean {
    if (c === '<' || c === '>') {
      if (this.top === '(' || this.top === '[' || this.top === '{') return false;
      // `->` is an arrow, not a closer (e.g. `operator->` inside template arguments).
      if (c === '>' && prev === '-') return false;
    }
    const open = OPEN[c];
    if (open !== undefined) {
      this.stack.push(c);
      this.counts[c]++;
      return true;
    }
    const opener = CLOSE[c];
    if (opener !== undefined) {
      if (this.counts[opener] === 0) return true; // unmatched closer: ignore
      for (;;) {
        const t = this.stack.pop();
        if (t === undefined) break;
        this.counts[t]--;
        if (t === opener) break;
      }
      return true;
    }
    return false;
  }
}

/** Splits `a, b<c, d>, e` at top-level commas. */
export function splitTopLevel(s: string, sep = ','): string[] {
  const parts: string[] = [];
  const b = new Brackets();
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (b.feed(c, s[i - 1])) continue;
    if (c === sep && b.depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last.length > 0 || parts.length > 0) parts.push(last);
  return parts;
}

/** Finds the `(` matching the `)` at `close` scanning backwards (parentheses only), or -1. */
function matchParenBackwards(s: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = s[i];
    if (c === ')') depth++;
    else if (c === '(') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const TRAILING_QUALIFIERS = [' const', ' volatile', ' &&', ' &', '&&', '&', ' noexcept', ' throw()', ' restrict'];

function stripTrailingQualifiers(s: string): string {
  let rest = s.trimEnd();
  for (let guard = 0; guard < 16; guard++) {
    let changed = false;
    for (const q of TRAILING_QUALIFIERS) {
      if (rest.endsWith(q)) {
        rest = rest.slice(0, rest.length - q.length).trimEnd();
        changed = true;
      }
    }
    if (rest.endsWith(']')) {
      const open = rest.lastIndexOf('[abi:');
      if (open >= 0) {
        rest = rest.slice(0, open).trimEnd();
        changed = true;
      }
    }
    if (!changed) break;
  }
  return rest;
}

/** Operator spellings, longest first so `<<=` wins over `<<` and `<`. */
const OPERATOR_SYMBOLS = [
  '->*',
  '<<=',
  '>>=',
  '<=>',
  '()',
  '[]',
  '->',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '&',
  '|',
  '~',
  '!',
  '=',
  '<',
  '>',
  ',',
];

/** True when `s` has the keyword `operator` at `i` (not part of a longer identifier). */
function isOperatorAt(s: string, i: number): boolean {
  return s.startsWith('operator', i) && !isIdentChar(s[i - 1]) && !isIdentChar(s[i + 8]);
}

/** Length of the operator symbol at `i` (after `operator` and spaces), 0 when none. */
function operatorSymbolLength(s: string, i: number): number {
  for (const op of OPERATOR_SYMBOLS) if (s.startsWith(op, i)) return op.length;
  return 0;
}

/**
 * Canonical spelling of an operator name for comparison: `operator<<`, `operator()`, `operator new[]`,
 * `operator bool`, `operator std::string` (template arguments and extra spaces dropped).
 */
export function canonicalOperator(text: string): string {
  let rest = text.slice('operator'.length).trimStart();
  const len = operatorSymbolLength(rest, 0);
  if (len > 0) return 'operator' + rest.slice(0, len);
  if (rest.startsWith('""'))
    return (
      'operator""' +
      rest
        .slice(2)
        .trim()
        .split(/[\s<(]/)[0]
    );
  // new / delete / co_await / conversion operators: words, `::`, `*`, `&`, `[]`, without template
  // arguments, parameters or qualifiers (`operator bool() const` → `operator bool`).
  rest = stripTemplateArgs(rest).split('(')[0];
  return (
    'operator ' +
    rest
      .replace(/\s+/g, ' ')
      .replace(/\s*([*&[\]])\s*/g, '$1')
      .trim()
  );
}

/** Removes every balanced `<…>` group (and unclosed tails) from a component, keeping the rest. */
export function stripTemplateArgs(s: string): string {
  let out = '';
  let depth = 0;
  let paren = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (depth === 0) {
      if (c === '<' && paren === 0) {
        depth = 1;
        continue;
      }
      if (c === '(') paren++;
      else if (c === ')' && paren > 0) paren--;
      out += c;
    } else {
      if (c === '<') depth++;
      else if (c === '>' && s[i - 1] !== '-') depth--;
    }
  }
  return out;
}

interface Component {
  text: string;
}

/** Splits a qualified name (no final parameter list) into `::` components, dropping any return type. */
function splitComponents(s: string): Component[] {
  let comps: Component[] = [];
  let cur = '';
  const b = new Brackets();
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (b.depth === 0 && cur.trim() === '' && isOperatorAt(s, i)) {
      // An operator name: take the symbol verbatim, then any template arguments normally.
      let j = i + 8;
      while (s[j] === ' ') j++;
      const len = operatorSymbolLength(s, j);
      if (len > 0) {
        cur = 'operator' + s.slice(j, j + len);
        i = j + len;
        // `operator<< <char>`: the demangler separates template arguments from `<<` by a space.
        let k = i;
        while (s[k] === ' ') k++;
        if (s[k] === '<') i = k;
        continue;
      }
      // `operator new`, `operator delete[]`, conversion operators: the rest up to a top-level `::` that
      // is followed by a lambda/local scope is rare; take everything to the end.
      cur = s.slice(i);
      i = s.length;
      break;
    }
    if (b.feed(c, s[i - 1])) {
      cur += c;
      i++;
      continue;
    }
    if (b.depth === 0 && c === ':' && s[i + 1] === ':') {
      comps.push({ text: cur.trim() });
      cur = '';
      i += 2;
      continue;
    }
    if (b.depth === 0 && c === ' ') {
      // `foo() const::{lambda()#1}`: qualifiers after a local scope's parameter list stay with it.
      const tail = s.slice(i + 1, i + 10);
      if (cur.endsWith(')') && (/^(const|volatile|noexcept)\b/.test(tail) || /^&&?(\s|:|$)/.test(tail))) {
        cur += c;
        i++;
        continue;
      }
      if (cur.trim() !== '') {
        // Everything before a top-level space is the return type (`void`, `std::vector<int>`, `unsigned long`).
        comps = [];
        cur = '';
      }
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim() !== '' || comps.length > 0) comps.push({ text: cur.trim() });
  return comps.filter((c) => c.text !== '');
}

/** Canonical form of one scope component (also used for names found in source). */
export function canonicalComponent(text: string): string {
  let t = text.trim();
  if (t.startsWith('operator') && !isIdentChar(t[8])) return canonicalOperator(t);
  // ABI tags: foo[abi:cxx11]
  const abi = t.indexOf('[abi:');
  if (abi > 0) t = t.slice(0, abi) + t.slice(t.indexOf(']', abi) + 1 || t.length);
  t = stripTemplateArgs(t);
  // A local scope `foo(int) const` keeps only its name.
  const paren = t.indexOf('(');
  if (paren > 0) t = t.slice(0, paren);
  // Destructors: `~Foo`; keep the tilde, drop spaces.
  return t.replace(/\s+/g, '');
}

/** `{lambda(int, char)#3}` → { index: 3, signature: 'int,char' }; not a lambda → null. */
function lambdaInfo(text: string): { index: number | null; signature: string } | null {
  if (!text.startsWith('{lambda(')) return null;
  const hash = text.lastIndexOf('#');
  const close = text.lastIndexOf(')', hash < 0 ? text.length : hash);
  const inner = close > 7 ? text.slice(8, close) : '';
  const signature = splitTopLevel(inner).map(paramKey).join(',');
  const n = hash < 0 ? NaN : Number.parseInt(text.slice(hash + 1), 10);
  return { index: Number.isFinite(n) ? n : null, signature: signature === 'void' ? '' : signature };
}

function classifyNonCpp(s: string): { language: SymbolLanguage; unmappable: string } | null {
  // Rust legacy mangling: _ZN...17h<16 hex>E, v0 mangling: _R...
  if (s.startsWith('_ZN') && /17h[0-9a-f]{16}E$/.test(s.slice(-22))) {
    return { language: 'rust', unmappable: 'Rust symbol (Perf Lens maps C/C++ source only)' };
  }
  if (/^_R[0-9A-Za-z_]/.test(s))
    return { language: 'rust', unmappable: 'Rust symbol (Perf Lens maps C/C++ source only)' };
  if (s.includes('{{closure}}') || s.includes('{{constant}}') || /::h[0-9a-f]{16}$/.test(s.slice(-19))) {
    return { language: 'rust', unmappable: 'Rust symbol (Perf Lens maps C/C++ source only)' };
  }
  if (s.startsWith('<') && s.includes(' as ') && s.includes('>::')) {
    return { language: 'rust', unmappable: 'Rust symbol (Perf Lens maps C/C++ source only)' };
  }
  if (/^_Z[A-Z0-9_]/.test(s)) {
    return {
      language: 'cpp',
      unmappable: 'mangled name: perf could not demangle it (is the binary’s C++ demangler support missing?)',
    };
  }
  return null;
}

/**
 * Go symbols have package-qualified, dotted names (`main.main`, `net/http.(*conn).serve.func1`,
 * `runtime.mallocgc`) and never `::`. C and C++ names never keep a `.` once clone suffixes are gone.
 */
function looksLikeGo(s: string): boolean {
  if (s.startsWith('type:') || s.startsWith('go:') || s.startsWith('go.') || s.includes('go.shape.')) return true;
  if (s.includes('::') || s.includes(' ')) return false;
  const dot = s.indexOf('.');
  if (dot <= 0) return false;
  return isIdentChar(s[dot - 1]) || s[dot - 1] === ')' || s[dot - 1] === ']';
}

/** Normalises one symbol name as perf prints it. Never throws. */
export function normalizeSymbol(rawInput: string): NormalizedSymbol {
  const raw = typeof rawInput === 'string' ? rawInput : String(rawInput);
  try {
    return normalizeUnchecked(raw);
  } catch {
    // Defensive: the scanners above are total, but a symbol must never take the server down.
    return empty(raw, 'unknown', 'unparsable symbol name');
  }
}

function normalizeUnchecked(raw: string): NormalizedSymbol {
  let s = raw.trim();
  if (s.length === 0) return empty(raw, 'unknown', 'empty symbol name');
  if (s.length > MAX_SYMBOL_LENGTH)
    return empty(raw, 'unknown', `symbol name longer than ${MAX_SYMBOL_LENGTH} characters`);
  if (s === '[unknown]' || s.startsWith('[unknown]'))
    return empty(raw, 'unknown', 'perf could not resolve this address');
  if (/^0x[0-9a-fA-F]+$/.test(s.slice(0, 40)) && s.length <= 40) {
    return empty(raw, 'unknown', 'no symbol, only an address (stripped binary or JIT code)');
  }
  if (isHexString(s) && s.length >= 8)
    return empty(raw, 'unknown', 'no symbol, only an address (stripped binary or JIT code)');

  for (const p of NOT_FUNCTION_PREFIXES) {
    if (s.startsWith(p)) return { ...empty(raw, 'cpp', `not a function (${p.trim()})`) };
  }
  let thunk = false;
  for (const p of THUNK_PREFIXES) {
    if (s.startsWith(p)) {
      s = s.slice(p.length);
      thunk = true;
    }
  }
  // Symbol versions and PLT stubs: write@plt, memcpy@@GLIBC_2.14
  const at = s.indexOf('@');
  if (at > 0 && !s.slice(0, at).includes('(')) s = s.slice(0, at);

  const nonCpp = classifyNonCpp(s);
  if (nonCpp) {
    const n = empty(raw, nonCpp.language, nonCpp.unmappable);
    if (nonCpp.language === 'rust') {
      const parts = splitComponents(stripRustHash(s)).map((c) => c.text);
      n.path = parts;
      n.name = parts[parts.length - 1] ?? '';
      n.qualifiedName = parts.join('::');
    }
    return n;
  }

  const { rest, clones } = stripClones(s);
  s = rest;
  let coroutinePart: CoroutinePart | null = null;
  for (const c of clones) {
    const word = c.slice(1).split('.')[0];
    if (Object.hasOwn(COROUTINE_PARTS, word)) coroutinePart = COROUTINE_PARTS[word];
  }

  if (looksLikeGo(s)) {
    const n = empty(raw, 'go', 'Go symbol (Perf Lens maps C/C++ source only)');
    n.path = [s];
    n.name = s;
    n.qualifiedName = s;
    n.clones = clones;
    return n;
  }

  // Split off the final parameter list.
  let namePart = stripTrailingQualifiers(s);
  let params: string[] | null = null;
  if (namePart.endsWith(')')) {
    const open = matchParenBackwards(namePart, namePart.length - 1);
    const before = open > 0 ? namePart.slice(0, open) : '';
    // `Foo::operator()` printed without parameters: the parentheses are the operator itself.
    if (open > 0 && !/(^|[^\w])operator\s*$/.test(before.slice(-12))) {
      params = splitTopLevel(namePart.slice(open + 1, -1));
      if (params.length === 1 && (params[0] === 'void' || params[0] === '')) params = [];
      namePart = before;
    }
  }
  const hasParens = params !== null;

  const comps = splitComponents(namePart);
  const path: string[] = [];
  const templateArgs: Array<string | null> = [];
  let anonymousNamespace = false;
  let lambda: { indices: Array<number | null>; signatures: string[] } | null = null;
  let firstParams: string[] | null = null;
  for (const comp of comps) {
    const t = comp.text;
    if (t === '(anonymous namespace)' || t === '{anonymous}') {
      anonymousNamespace = true;
      continue;
    }
    const li = lambdaInfo(t);
    if (li !== null) {
      lambda ??= { indices: [], signatures: [] };
      lambda.indices.push(li.index);
      lambda.signatures.push(li.signature);
      continue;
    }
    if (lambda) continue; // `…::{lambda()#1}::operator()`: the call operator of the closure
    if (t.startsWith('{unnamed type')) {
      path.push('{unnamed}');
      templateArgs.push(null);
      continue;
    }
    if (t.startsWith('{') || t.startsWith('(')) {
      // `{default arg#1}`, `(anonymous struct)`: keep a marker that matches nothing in source.
      path.push(t.replace(/\s+/g, ''));
      templateArgs.push(null);
      continue;
    }
    // A local scope `foo(int)` carries the parameters of the enclosing function.
    if (firstParams === null) {
      const open = t.indexOf('(');
      if (open > 0 && !(t.startsWith('operator') && !isIdentChar(t[8]))) {
        const close = t.lastIndexOf(')');
        if (close > open) firstParams = splitTopLevel(t.slice(open + 1, close));
      }
    }
    const canon = canonicalComponent(t);
    if (canon !== '') {
      path.push(canon);
      templateArgs.push(templateArgsOf(t));
    }
  }

  const language: SymbolLanguage = path.length > 1 || hasParens || lambda || anonymousNamespace ? 'cpp' : 'c';
  const name = path[path.length - 1] ?? '';
  let unmappable: string | null = null;
  if (path.length === 0) unmappable = 'no function name in the symbol';
  else if (path[0] === 'std' || path[0] === '__gnu_cxx' || path[0] === '__cxxabiv1') {
    unmappable = 'C++ standard library (not in the workspace)';
  }
  return {
    raw,
    language,
    path,
    templateArgs,
    name,
    qualifiedName: path.join('::'),
    params: lambda ? (firstParams ?? params) : params,
    anonymousNamespace,
    lambda,
    clones,
    coroutinePart,
    thunk,
    unmappable,
  };
}

/**
 * The first top-level template argument list of a component, whitespace removed (`Box<Box<int> >` →
 * `<Box<int>>`), or null. Operators' own `<`/`>` are skipped.
 */
export function templateArgsOf(component: string): string | null {
  let start = 0;
  if (component.startsWith('operator') && !isIdentChar(component[8])) {
    start =
      8 +
      operatorSymbolLength(component.slice(8).trimStart(), 0) +
      (component.length - 8 - component.slice(8).trimStart().length);
  }
  const open = component.indexOf('<', start);
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < component.length; i++) {
    const c = component[i];
    if (c === '<') depth++;
    else if (c === '>' && component[i - 1] !== '-') {
      depth--;
      if (depth === 0) return component.slice(open, i + 1).replace(/\s+/g, '');
    }
  }
  return null;
}

function stripRustHash(s: string): string {
  const m = /::h[0-9a-f]{16}$/.exec(s.slice(-19));
  return m ? s.slice(0, s.length - 19) : s;
}

/**
 * Loose parameter-type key for overload tie-breaking: no names, no `const`, no spaces, no template
 * arguments, `std::` dropped. `std::basic_string_view<char, …>` and `std::string_view` still differ,
 * so callers compare only when both sides agree on the count.
 */
export function paramKey(type: string): string {
  const cached = paramKeys.get(type);
  if (cached !== undefined) return cached;
  const key = computeParamKey(type);
  if (paramKeys.size > 20_000) paramKeys.clear();
  paramKeys.set(type, key);
  return key;
}

const paramKeys = new Map<string, string>();

function computeParamKey(type: string): string {
  const key = stripTemplateArgs(type)
    .replace(/\b(const|volatile|struct|class|enum|typename)\b/g, '')
    .replace(/\bstd::(__\w+::)?/g, '')
    .replace(/\s+/g, '');
  // perf prints the type a typedef stands for; source spells the typedef (LP64 Linux sizes).
  return key.replace(/^(?:::)?([A-Za-z_]\w*)/, (m, word: string) => TYPEDEFS[word] ?? m);
}

const TYPEDEFS: Record<string, string> = {
  size_t: 'unsignedlong',
  uint64_t: 'unsignedlong',
  uintptr_t: 'unsignedlong',
  uint_fast64_t: 'unsignedlong',
  ssize_t: 'long',
  int64_t: 'long',
  intptr_t: 'long',
  ptrdiff_t: 'long',
  off_t: 'long',
  uint32_t: 'unsignedint',
  int32_t: 'int',
  uint16_t: 'unsignedshort',
  int16_t: 'short',
  uint8_t: 'unsignedchar',
  int8_t: 'signedchar',
  socklen_t: 'unsignedint',
  string: 'basic_string',
  string_view: 'basic_string_view',
};
