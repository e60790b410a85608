/**
 * `perf script` text → folded stacks, with the exact semantics of FlameGraph's stackcollapse-perf.pl
 * (upstream 41fee1f; see test/unit/conformance for the byte-for-byte check on upstream's 78 cases).
 *
 * Streaming and bounded: input goes in as chunks, only the current sample's frames and the table of distinct
 * stacks are kept. For byte-exact output feed text decoded as `latin1` (one char per byte) and encode the
 * output the same way; the CLI does that.
 *
 * Speed: the per-frame regular expression of the Perl script is replaced by index arithmetic that yields the
 * same captures (the regex is still used as a fallback for odd lines), and each frame's tidied name is cached
 * per (module, symbol) so repeated frames cost two Map lookups.
 */

export interface CollapseOptions {
  /** `--pid`: root frame `comm-PID`. */
  pid?: boolean;
  /** `--tid`: root frame `comm-PID/TID`. */
  tid?: boolean;
  /** `--kernel`: `_[k]` on kernel frames. */
  kernel?: boolean;
  /** `--jit`: `_[j]` on frames from /tmp/perf-PID.map. */
  jit?: boolean;
  /** `--all`: kernel + jit. */
  all?: boolean;
  /** `--addrs`: unresolved frames keep their address, `[module <addr>]`. */
  addrs?: boolean;
  /** `--event-filter=EVENT`; default: the first event type seen. */
  eventFilter?: string;
  /**
   * Java tidying (`Lcom/x/Y` → `com/x/Y`) applies when the root frame equals `java` (upstream before PR #147)
   * instead of when it starts with `java` (upstream since 2023). Only differs with --pid/--tid.
   */
  legacyJavaTidy?: boolean;
  /** Distinct stacks kept at most; past it, `CollapseLimitError` (memory stays bounded). Default 2,000,000. */
  maxStacks?: number;
  /** Frames kept per sample at most; deeper frames (towards the root) are dropped. Default 65,536. */
  maxFramesPerSample?: number;
  /** Lines longer than this many chars are cut. Default 1 MiB. */
  maxLineChars?: number;
}

export interface CollapseStats {
  /** Lines read. */
  lines: number;
  /** Samples folded into stacks. */
  samples: number;
  /** Samples of other event types skipped by the event filter. */
  filteredSamples: number;
  /** The event kept (the first one seen, or the filter given). */
  event: string | null;
  /** The event type whose samples were dropped first (stackcollapse-perf.pl's "Filtering for events of type"). */
  droppedEvent: string | null;
  unrecognizedLines: number;
  /** The first few unrecognized lines, cut to 200 chars. */
  unrecognizedExamples: string[];
  truncatedLines: number;
  /** Samples whose frames were cut at maxFramesPerSample. */
  truncatedSamples: number;
}

interface Body {
  text: string;
  /** The ids of the body's frames (two chars each). */
  key: string;
  lines: number;
  units: number;
}

export class CollapseLimitError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} distinct stacks: the input is too varied to fold in bounded memory`);
    this.name = 'CollapseLimitError';
  }
}

// Perl's \s is [ \t\n\v\f\r]; JS's \s also matches U+00A0 (byte 0xA0 in latin1), which Perl does not.
// The Perl script's `(\d+)*` is written `(\d+)?` here: both must be followed by whitespace, so they match the
// same lines with the same captures, but V8 backtracks through `(\d+)*` exponentially in the length of a
// digit run that is NOT followed by whitespace (30 digits took minutes).
export const HEADER_RE = /^([^ \t\n\v\f\r][^\n]+?)[ \t\n\v\f\r]+(\d+)\/*(\d+)?[ \t\n\v\f\r]+/;
const EVENT_RE = /:[ \t\n\v\f\r]*(\d+)?[ \t\n\v\f\r]+([^ \t\n\v\f\r]+):[ \t\n\v\f\r]*$/;
export const STACK_RE = /^[ \t\n\v\f\r]*(\w+)[ \t\n\v\f\r]*([^\n]+) \(([^\n]*)\)/;
const GO_METHOD_RE = /\.\(.*\)\./;
const JIT_MAP_RE = /\/tmp\/perf-\d+\.map/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

type HeaderMatch = [string, string, string, string | undefined];

/** Lines up to this length go to HEADER_RE itself (see matchHeader). */
const REGEX_SAFE_LENGTH = 1024;

/**
 * HEADER_RE's captures in linear time. The regex backtracks quadratically on lines with a long run of
 * blanks or no blank at all (measured: 16,000 chars took 0.4 s, 200,000 never finished), which hostile or
 * corrupt input reaches. The lazy `[^\n]+?` takes the shortest name whose end starts a blank run followed
 * by the `pid[/tid]` field and a blank; every position inside one blank run gives the same answer, so a
 * run that fails is skipped whole. HEADER_RE stays the specification (the tests compare both).
 */
export function matchHeader(line: string): HeaderMatch | null {
  // Up to this length the regex's worst case is about a million steps (a few ms) and on real headers it is
  // twice as fast as the loop (V8's regex engine), so the loop only takes the long lines.
  if (line.length <= REGEX_SAFE_LENGTH || line.includes('\n')) {
    const m = HEADER_RE.exec(line);
    return m ? [m[0], m[1], m[2], m[3]] : null;
  }
  return matchHeaderLinear(line);
}

/** HEADER_RE's captures by a loop, for a line without a newline. */
export function matchHeaderLinear(line: string): HeaderMatch | null {
  const n = line.length;
  if (n === 0 || isSpace(line.charCodeAt(0))) return null;
  let e = 2;
  while (e < n) {
    if (!isSpace(line.charCodeAt(e))) {
      e++;
      continue;
    }
    let f = e;
    while (f < n && isSpace(line.charCodeAt(f))) f++;
    let g = f;
    while (g < n && isDigit(line.charCodeAt(g))) g++;
    if (g > f) {
      let k = g;
      while (k < n && line.charCodeAt(k) === 47) k++;
      let t = k;
      while (t < n && isDigit(line.charCodeAt(t))) t++;
      if (t < n && isSpace(line.charCodeAt(t))) {
        let end = t;
        while (end < n && isSpace(line.charCodeAt(end))) end++;
        return [line.slice(0, end), line.slice(0, e), line.slice(f, g), t > k ? line.slice(k, t) : undefined];
      }
      // (\d+) giving digits back cannot help: \/* then (\d+)? would take them and the blank is still missing.
    }
    e = f; // every start inside this blank run fails the same way
  }
  return null;
}

/**
 * STACK_RE's captures (`/^\s*(\w+)\s*(.+) \((.*)\)/`) without its backtracking, which is quadratic on a
 * line that does not match (a long word run with no " (…)", or many " (" after the last ")"). The regex
 * prefers the longest address and blank run, then the last " (" that has a ")" after it; when that leaves
 * the name empty it gives back one blank, then one address character.
 */
export function matchFrame(line: string): [string, string, string, string] | null {
  if (line.includes('\n')) {
    // Never from the line splitter; kept exact for direct callers.
    const m = STACK_RE.exec(line);
    return m ? [m[0], m[1], m[2], m[3]] : null;
  }
  const n = line.length;
  let i = 0;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  const pcStart = i;
  while (i < n && isWord(line.charCodeAt(i))) i++;
  const pcEnd = i;
  if (pcEnd === pcStart) return null;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  const close = line.lastIndexOf(')');
  const open = close >= 2 ? line.lastIndexOf(' (', close - 2) : -1;
  if (open < pcStart + 2) return null;
  let pc: string;
  let funcStart: number;
  if (open >= i + 1) [pc, funcStart] = [line.slice(pcStart, pcEnd), i];
  else if (open - 1 >= pcEnd) [pc, funcStart] = [line.slice(pcStart, pcEnd), open - 1];
  else [pc, funcStart] = [line.slice(pcStart, pcEnd - 1), pcEnd - 1];
  return [line.slice(0, close + 1), pc, line.slice(funcStart, open), line.slice(open + 2, close)];
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Perl truthiness of a captured string: undef, "" and "0" are false. */
function perlTrue(s: string | undefined): s is string {
  return s !== undefined && s !== '' && s !== '0';
}

const NO_UNIT = -1;
const UNRECOGNIZED = -2;

export class StackCollapser {
  readonly stats: CollapseStats = {
    lines: 0,
    samples: 0,
    filteredSamples: 0,
    event: null,
    droppedEvent: null,
    unrecognizedLines: 0,
    unrecognizedExamples: [],
    truncatedLines: 0,
    truncatedSamples: 0,
  };
  private readonly kernel: boolean;
  private readonly jit: boolean;
  private readonly addrs: boolean;
  private readonly maxStacks: number;
  private readonly maxFrames: number;
  private readonly maxLine: number;
  private eventFilter: string;
  private eventDefaulted = false;
  private eventWarned = false;

  /*
   * Stacks are keyed by a compact string of ids, two chars per id: the root frame's id, then one "unit" id
   * per frame, leaf first. A unit is the `;`-joined text one perf frame line contributes (usually one
   * function; more with `a->b` inline chains). Hashing a key of ~2 chars per frame instead of the ~1 KB
   * folded text is what makes this fast; the text is rebuilt once per distinct stack at the end.
   */
  private readonly keys = new Map<string, number>();
  private readonly unitIds = new Map<string, number>();
  private readonly unitText: string[] = [];
  private readonly rootIds = new Map<string, number>();
  private readonly rootText: string[] = [];
  /** Frame line text after the address → unit id (or NO_UNIT / UNRECOGNIZED), per java flag. Only a cache. */
  private readonly lineCache: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
  private lineCacheSize = 0;

  /** Current sample (`$pname`, the frames so far, `$m_period`). */
  private root = -1;
  private ids = new Uint16Array(256);
  private depth = 0;
  private period = 1;
  private isJava = 0;
  private truncatedThisSample = false;

  /**
   * Sample bodies: the frame lines after the leaf are return addresses, so the same call path prints the
   * same text. Body text → its ids, so a repeated body costs one hash of its text instead of a lookup per
   * line. Only bodies made purely of ordinary frame lines are stored; per java flag; only a cache.
   */
  private readonly bodyCache: [Map<number, Body[]>, Map<number, Body[]>] = [new Map(), new Map()];
  private bodyCacheChars = 0;
  private restKey = '';
  private awaitLeaf = false;
  private slowLines = 0;

  private carry = '';
  private skippingLongLine = false;

  constructor(private readonly options: CollapseOptions = {}) {
    this.kernel = !!(options.kernel || options.all);
    this.jit = !!(options.jit || options.all);
    this.addrs = !!options.addrs;
    this.eventFilter = options.eventFilter ?? '';
    this.maxStacks = options.maxStacks ?? 2_000_000;
    this.maxFrames = options.maxFramesPerSample ?? 65_536;
    this.maxLine = options.maxLineChars ?? 1 << 20;
  }

  /** Distinct stacks so far. */
  get size(): number {
    return this.keys.size;
  }

  /** Feed a chunk of text (any split; lines may span chunks). */
  push(chunk: string): void {
    let start = 0;
    const n = chunk.length;
    if (this.carry !== '' || this.skippingLongLine) {
      const nl = chunk.indexOf('\n');
      if (nl === -1) {
        if (!this.skippingLongLine) {
          this.carry += chunk;
          if (this.carry.length > this.maxLine) this.cutLongLine();
        }
        return;
      }
      if (this.skippingLongLine) this.skippingLongLine = false;
      else {
        const line = this.carry + chunk.slice(0, nl);
        this.carry = '';
        this.line(line);
      }
      start = nl + 1;
    }
    while (start < n) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) {
        this.carry = chunk.slice(start);
        if (this.carry.length > this.maxLine) this.cutLongLine();
        return;
      }
      if (nl - start > this.maxLine) {
        this.stats.truncatedLines++;
        this.line(chunk.slice(start, start + this.maxLine));
      } else {
        this.lineAt(chunk, start, nl);
      }
      start = nl + 1;
      if (this.awaitLeaf && this.depth > 0) start = this.body(chunk, start);
    }
  }

  /** After the leaf line: the rest of the sample up to its blank line, from the body cache when possible. */
  private body(chunk: string, from: number): number {
    this.awaitLeaf = false;
    const p = chunk.indexOf('\n\n', from - 1);
    const len = p - from;
    if (p < from || len > Math.min(65_536, this.maxLine)) return from;
    // A cheap hash over every 8th char picks the candidates; the full comparison (native, memcmp-like)
    // decides. Hashing every char of a ~1 KB body per sample would cost more than folding it.
    let h = len | 0;
    for (let i = from; i < p; i += 8) h = Math.imul(h ^ chunk.charCodeAt(i), 0x9e3779b1);
    h ^= h >>> 15;
    const cache = this.bodyCache[this.isJava];
    const candidates = cache.get(h);
    if (candidates !== undefined && this.root !== -1) {
      for (const c of candidates) {
        if (c.text.length === len && this.depth + c.units <= this.maxFrames && chunk.slice(from, p) === c.text) {
          this.stats.lines += c.lines;
          this.restKey = c.key;
          return p + 1;
        }
      }
    }
    const depth0 = this.depth;
    const slow0 = this.slowLines;
    let lines = 0;
    let pos = from;
    while (pos <= p) {
      const nl = chunk.indexOf('\n', pos);
      this.lineAt(chunk, pos, nl);
      lines++;
      pos = nl + 1;
    }
    if (this.slowLines === slow0 && this.root !== -1 && !this.truncatedThisSample) {
      const key = this.idString(depth0, this.depth);
      if ((this.bodyCacheChars += len + key.length) > 64 << 20) {
        this.bodyCache[0].clear();
        this.bodyCache[1].clear();
        this.bodyCacheChars = 0;
      }
      const body: Body = { text: chunk.slice(from, p), key, lines, units: this.depth - depth0 };
      const list = cache.get(h);
      if (list === undefined) cache.set(h, [body]);
      else if (list.length < 8) list.push(body);
    }
    return p + 1;
  }

  private idString(from: number, to: number): string {
    let key = '';
    const ids = this.ids;
    // fromCharCode.apply on bounded slices (engines cap argument counts).
    for (let i = from * 2; i < to * 2; i += 8192) {
      key += String.fromCharCode.apply(null, ids.subarray(i, Math.min(to * 2, i + 8192)) as unknown as number[]);
    }
    return key;
  }

  /** End of input. Like the Perl script, a last sample without a blank line after it is not counted. */
  end(): void {
    if (this.carry !== '') {
      const line = this.carry;
      this.carry = '';
      this.line(line);
    }
    this.skippingLongLine = false;
  }

  /** One line (no trailing newline), for line-oriented callers. */
  line(line: string): void {
    this.lineAt(line, 0, line.length);
  }

  /** Distinct folded stacks with their counts, unsorted (stacks whose text coincides are merged). */
  stacks(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, count] of this.keys) {
      const text = this.decode(key);
      const prev = out.get(text);
      out.set(text, prev === undefined ? count : prev + count);
    }
    return out;
  }

  /** Folded stacks sorted like Perl's `sort { $a cmp $b }` (code unit order = byte order for latin1 text). */
  sorted(): Array<[string, number]> {
    return [...this.stacks()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The folded text, exactly as stackcollapse-perf.pl prints it. */
  text(): string {
    const parts: string[] = [];
    for (const [stack, count] of this.sorted()) parts.push(`${stack} ${count}\n`);
    return parts.join('');
  }

  private decode(key: string): string {
    let text = this.rootText[(key.charCodeAt(0) << 16) | key.charCodeAt(1)];
    for (let i = key.length - 2; i >= 2; i -= 2) {
      text += ';' + this.unitText[(key.charCodeAt(i) << 16) | key.charCodeAt(i + 1)];
    }
    return text;
  }

  private lineAt(s: string, start: number, end: number): void {
    this.stats.lines++;
    if (start === end) {
      this.slowLines++;
      this.endSample();
      return;
    }
    const c0 = s.charCodeAt(start);
    if (c0 === 35 /* # */) {
      this.slowLines++;
      return; // comments, including `# cmdline` (read by the Perl script, never used)
    }
    if (isSpace(c0)) {
      // The common frame line: `\t   ffffffff81000130 entry_SYSCALL_64+0x76 ([kernel.kallsyms])`.
      let i = start + 1;
      while (i < end && isSpace(s.charCodeAt(i))) i++;
      const pcStart = i;
      while (i < end && isWord(s.charCodeAt(i))) i++;
      if (i > pcStart) {
        while (i < end && isSpace(s.charCodeAt(i))) i++;
        const tail = s.slice(i, end);
        const cache = this.lineCache[this.isJava];
        let unit = cache.get(tail);
        if (unit === undefined || (this.addrs && tail.includes('[unknown]'))) {
          const line = start === 0 && end === s.length ? s : s.slice(start, end);
          const fast = this.frameUnit(line);
          if (fast === null) {
            this.slowLines++;
            unit = this.frameUnitRegex(line);
          } else {
            unit = fast;
            // Only a cache: cleared when hostile input makes it large.
            if (++this.lineCacheSize > 500_000) {
              this.lineCache[0].clear();
              this.lineCache[1].clear();
              this.lineCacheSize = 0;
            }
            cache.set(tail, unit);
          }
        }
        this.addUnit(unit, s, start, end);
        return;
      }
    }
    this.slowLines++;
    const line = start === 0 && end === s.length ? s : s.slice(start, end);
    if (!isSpace(c0)) {
      const h = matchHeader(line);
      if (h) {
        this.header(line, h);
        return;
      }
    }
    this.addUnit(this.frameUnit(line) ?? this.frameUnitRegex(line), s, start, end);
  }

  private addUnit(unit: number, s: string, start: number, end: number): void {
    if (unit === UNRECOGNIZED) {
      this.stats.unrecognizedLines++;
      if (this.stats.unrecognizedExamples.length < 5) {
        this.stats.unrecognizedExamples.push(s.slice(start, Math.min(end, start + 200)));
      }
      return;
    }
    if (this.root === -1 || unit === NO_UNIT) return; // `next if not $pname`, or a frame that adds nothing
    if (this.depth >= this.maxFrames) {
      this.truncatedThisSample = true;
      return;
    }
    if (this.depth * 2 + 2 > this.ids.length) {
      const bigger = new Uint16Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.depth * 2] = unit >>> 16;
    this.ids[this.depth * 2 + 1] = unit & 0xffff;
    this.depth++;
  }

  private cutLongLine(): void {
    this.stats.truncatedLines++;
    const line = this.carry.slice(0, this.maxLine);
    this.carry = '';
    this.skippingLongLine = true;
    this.line(line);
  }

  private endSample(): void {
    this.awaitLeaf = false;
    if (this.root === -1) {
      this.restKey = '';
      return;
    }
    const key = String.fromCharCode(this.root >>> 16, this.root & 0xffff) + this.idString(0, this.depth) + this.restKey;
    this.restKey = '';
    const prev = this.keys.get(key);
    if (prev === undefined) {
      if (this.keys.size >= this.maxStacks) throw new CollapseLimitError(this.maxStacks);
      this.keys.set(key, this.period);
    } else {
      this.keys.set(key, prev + this.period);
    }
    this.stats.samples++;
    if (this.truncatedThisSample) this.stats.truncatedSamples++;
    this.depth = 0;
    this.root = -1;
    this.truncatedThisSample = false;
  }

  private header(line: string, h: HeaderMatch): void {
    const comm = h[1];
    let pid = h[2];
    let tid = h[3];
    if (!perlTrue(tid)) {
      tid = pid;
      pid = '?';
    }
    let period: string | undefined;
    const e = EVENT_RE.exec(line);
    if (e) {
      period = e[1];
      const event = e[2];
      if (this.eventFilter === '') {
        this.eventFilter = event;
        this.eventDefaulted = true;
        this.stats.event = event;
      } else if (event !== this.eventFilter) {
        if (this.eventDefaulted && !this.eventWarned) {
          this.stats.droppedEvent = event;
          this.eventWarned = true;
        }
        this.stats.filteredSamples++;
        return;
      } else if (this.stats.event === null) {
        this.stats.event = event;
      }
    }
    this.period = perlTrue(period) ? Number(period) : 1;
    let pname = this.options.tid ? `${comm}-${pid}/${tid}` : this.options.pid ? `${comm}-${pid}` : comm;
    if (pname.includes(' ')) pname = pname.replaceAll(' ', '_');
    let id = this.rootIds.get(pname);
    if (id === undefined) {
      id = this.rootText.length;
      if (id > 0x7fffffff) throw new CollapseLimitError(this.maxStacks);
      this.rootIds.set(pname, id);
      this.rootText.push(pname);
    }
    this.root = id;
    this.awaitLeaf = true;
    this.isJava = (this.options.legacyJavaTidy ? pname === 'java' : pname.startsWith('java')) ? 1 : 0;
  }

  /**
   * The unit a frame line contributes, or null when the greedy positions do not give a match (then only the
   * regex, backtracking into the address, can say; such lines are never cached by their tail).
   */
  private frameUnit(line: string): number | null {
    // Captures of /^\s*(\w+)\s*(.+) \((.*)\)/ by index arithmetic (see the file comment).
    const n = line.length;
    let i = 0;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    const pcStart = i;
    while (i < n && isWord(line.charCodeAt(i))) i++;
    const pcEnd = i;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    const close = line.lastIndexOf(')');
    const open = close >= 2 ? line.lastIndexOf(' (', close - 2) : -1;
    if (pcEnd > pcStart && open >= i + 1) {
      return this.unitOf(line.slice(i, open), line.slice(open + 2, close), line.slice(pcStart, pcEnd));
    }
    return null;
  }

  private frameUnitRegex(line: string): number {
    const m = matchFrame(line);
    if (!m) return UNRECOGNIZED;
    return this.unitOf(m[2], m[3], m[1]);
  }

  private unitOf(rawfunc: string, mod: string, pc: string): number {
    // s/\+0x[\da-f]+$//
    let end = rawfunc.length;
    let j = end - 1;
    while (j >= 0 && isLowerHex(rawfunc.charCodeAt(j))) j--;
    if (j < end - 1 && j >= 2 && rawfunc.charCodeAt(j) === 120 /* x */ && rawfunc.charCodeAt(j - 1) === 48 /* 0 */) {
      if (rawfunc.charCodeAt(j - 2) === 43 /* + */) end = j - 2;
    }
    if (end !== rawfunc.length) rawfunc = rawfunc.slice(0, end);
    if (rawfunc.charCodeAt(0) === 40 /* ( */) return NO_UNIT; // `next if $rawfunc =~ /^\(/` (process names)
    const names = this.tidy(rawfunc, mod, pc);
    if (names.length === 0) return NO_UNIT;
    const text = names.join(';');
    let id = this.unitIds.get(text);
    if (id === undefined) {
      id = this.unitText.length;
      if (id > 0x7fffffff) throw new CollapseLimitError(this.maxStacks);
      this.unitIds.set(text, id);
      this.unitText.push(text);
    }
    return id;
  }

  /** The Perl script's per-frame tidying and annotation, for one (symbol, module). */
  private tidy(rawfunc: string, mod: string, pc: string): string[] {
    const out: string[] = [];
    const parts = perlSplitArrow(rawfunc);
    for (let func of parts) {
      if (func === '[unknown]') {
        if (mod !== '[unknown]') {
          const slash = mod.lastIndexOf('/');
          func = slash === -1 ? mod : mod.slice(slash + 1);
        } else {
          func = 'unknown';
        }
        func = this.addrs ? `[${func} <${pc}>]` : `[${func}]`;
      }
      // $tidy_generic
      if (func.includes(';')) func = func.replaceAll(';', ':');
      if (!GO_METHOD_RE.test(func)) func = cutAtParen(func);
      if (func.includes('"') || func.includes("'")) func = func.replace(/["']/g, '');
      // $tidy_java
      if (this.isJava && func.includes('/') && func.charCodeAt(0) === 76 /* L */) func = func.slice(1);
      if (out.length > 0) {
        if (!func.includes('_[i]')) func += '_[i]';
      } else if (this.kernel && (mod.startsWith('[') || mod.endsWith('vmlinux')) && !mod.includes('unknown')) {
        func += '_[k]';
      } else if (this.jit && JIT_MAP_RE.test(mod)) {
        if (!func.includes('_[j]')) func += '_[j]';
      }
      out.push(func);
    }
    return out;
  }
}

/** Perl's `split /\->/, $s`: trailing empty fields are removed; an empty string gives no fields. */
function perlSplitArrow(s: string): string[] {
  if (!s.includes('->')) return s === '' ? [] : [s];
  const parts = s.split('->');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Perl's `s/\((?!anonymous namespace\)).*` + `//`: cut at the first `(` not opening `(anonymous namespace)`. */
function cutAtParen(func: string): string {
  let from = 0;
  for (;;) {
    const p = func.indexOf('(', from);
    if (p === -1) return func;
    if (!func.startsWith('anonymous namespace)', p + 1)) return func.slice(0, p);
    from = p + 1;
  }
}

/** Folds a whole text at once (tests, small inputs). */
export function collapseText(text: string, options: CollapseOptions = {}): StackCollapser {
  const c = new StackCollapser(options);
  c.push(text);
  c.end();
  return c;
}

/**
 * Folds a stream of Buffers (a file or stdin) decoded as latin1 so every byte survives. Memory: one chunk,
 * one line, the current sample, and the distinct stacks. `onProgress` hears the bytes read and samples
 * folded so far after each chunk (inputs of hundreds of MB take a while); `signal` stops between chunks.
 */
export async function collapseStream(
  input: AsyncIterable<Buffer | string>,
  options: CollapseOptions = {},
  signal?: AbortSignal,
  onProgress?: (progress: { bytes: number; samples: number }) => void,
): Promise<StackCollapser> {
  const c = new StackCollapser(options);
  let bytes = 0;
  for await (const chunk of input) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
    bytes += chunk.length;
    c.push(typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    onProgress?.({ bytes, samples: c.stats.samples });
  }
  c.end();
  return c;
}
