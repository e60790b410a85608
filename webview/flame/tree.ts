/**
 * Folded stacks → a call tree, built once, stored as parallel typed arrays (no object per frame) so that
 * 100k+ frames cost a few MB and a few tens of ms. Pure: no DOM, usable from Node for tests/benchmarks.
 *
 * Node 0 is the root ("all samples"). Children are linked lists (firstChild/nextSibling), sorted by name
 * like FlameGraph's flamegraph.pl so that the same frames line up between two graphs.
 */
import type { FoldedStack } from '../../src/core/profile';

export interface FlameTree {
  /** nameId → display name (without the `_[k]` marker). */
  names: string[];
  /** node → nameId. */
  nameOf: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  /** Samples in this frame and below. */
  total: Float64Array;
  /** Samples with this frame as the leaf. */
  self: Float64Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** 1 when the frame runs in the kernel. */
  kernel: Uint8Array;
  /** Number of nodes (including the root). */
  size: number;
  maxDepth: number;
}

/** Known kernel entry points: frames below them are kernel even without a `_[k]` marker. */
const KERNEL_ENTRY =
  /^(entry_SYSCALL|asm_|ret_from_fork|do_syscall_|__x64_sys_|__do_sys_|irq_exit|__irq_exit|common_interrupt|sysvec_)/;

/** Whether a folded frame is a kernel frame by its own name. */
export function isKernelFrame(frame: string, kernelSymbols?: ReadonlySet<string>): boolean {
  return (
    frame.endsWith('_[k]') ||
    frame.includes('[kernel.kallsyms]') ||
    KERNEL_ENTRY.test(frame) ||
    (kernelSymbols !== undefined && kernelSymbols.has(frame))
  );
}

export function displayName(frame: string): string {
  return frame.endsWith('_[k]') ? frame.slice(0, -4) : frame;
}

class Grow {
  nameOf = new Int32Array(1024);
  parent = new Int32Array(1024);
  depth = new Int32Array(1024);
  total = new Float64Array(1024);
  self = new Float64Array(1024);
  firstChild = new Int32Array(1024).fill(-1);
  lastChild = new Int32Array(1024).fill(-1);
  nextSibling = new Int32Array(1024).fill(-1);
  kernel = new Uint8Array(1024);
  size = 0;

  add(nameId: number, parent: number, depth: number, kernel: boolean): number {
    if (this.size === this.nameOf.length) this.grow();
    const id = this.size++;
    this.nameOf[id] = nameId;
    this.parent[id] = parent;
    this.depth[id] = depth;
    this.kernel[id] = kernel ? 1 : 0;
    // Appended, so children of sorted input arrive already in order.
    if (parent >= 0) {
      const last = this.lastChild[parent];
      if (last < 0) this.firstChild[parent] = id;
      else this.nextSibling[last] = id;
      this.lastChild[parent] = id;
    }
    return id;
  }

  private grow(): void {
    const cap = this.nameOf.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, fill?: number): T => {
      const b = new (a.constructor as { new (n: number): T })(cap);
      if (fill !== undefined) b.fill(fill);
      b.set(a);
      return b;
    };
    this.nameOf = g(this.nameOf);
    this.parent = g(this.parent);
    this.depth = g(this.depth);
    this.total = g(this.total);
    this.self = g(this.self);
    this.firstChild = g(this.firstChild, -1);
    this.lastChild = g(this.lastChild, -1);
    this.nextSibling = g(this.nextSibling, -1);
    this.kernel = g(this.kernel);
  }
}

/** Distinct frame names at most (a sanity bound far above real profiles). */
const NAME_CAP = 2 ** 24;
/** Above this many children a node's children are indexed by a Map instead of scanned. */
const MAP_FROM = 8;

/**
 * `onLeaf` is told the node each counted stack ends at (node ids are final: sorting children relinks them
 * without renumbering), for per-stack data kept outside the tree (the two sides of a comparison).
 */
export function buildFlameTree<T extends FoldedStack>(
  folded: readonly T[],
  kernelSymbols?: ReadonlySet<string>,
  onLeaf?: (stack: T, node: number) => void,
): FlameTree {
  const g = new Grow();
  const names: string[] = ['all'];
  const nameKernel: number[] = [0];
  const childCount: number[] = [0];
  const childMaps = new Map<number, Map<number, number>>();
  g.add(0, -1, 0, false);
  let maxDepth = 0;
  // Frame text per name id, and name ids by text. A frame reaches these only when it is not among the
  // previous stack's frames (see sharedFrames), i.e. about once per tree node.
  const raw: string[] = [''];
  const ids = new Map<string, number>();
  const intern = (frame: string): number => {
    let id = ids.get(frame);
    if (id === undefined) {
      id = names.length;
      if (id >= NAME_CAP) throw new Error('flame graph: too many distinct frame names');
      raw.push(frame);
      names.push(displayName(frame));
      nameKernel.push(isKernelFrame(frame, kernelSymbols) ? 1 : 0);
      ids.set(frame, id);
    }
    return id;
  };
  const childOf = (parent: number, frame: string, depth: number): number => {
    // Sorted input: the frame is usually the parent's newest child, or a new one.
    const last = g.lastChild[parent];
    if (last >= 0 && raw[g.nameOf[last]] === frame) return last;
    let nameId = -1;
    const map = childMaps.get(parent);
    if (map) {
      nameId = intern(frame);
      const hit = map.get(nameId);
      if (hit !== undefined) return hit;
    } else {
      for (let c = g.firstChild[parent]; c >= 0; c = g.nextSibling[c]) if (raw[g.nameOf[c]] === frame) return c;
      nameId = intern(frame);
    }
    const node = g.add(nameId, parent, depth, nameKernel[nameId] === 1 || (parent !== 0 && g.kernel[parent] === 1));
    childCount.push(0);
    const n = ++childCount[parent];
    if (map) map.set(nameId, node);
    else if (n > MAP_FROM) {
      // Many children: index them by name id from now on.
      const m = new Map<number, number>();
      for (let c = g.firstChild[parent]; c >= 0; c = g.nextSibling[c]) m.set(g.nameOf[c], c);
      childMaps.set(parent, m);
    }
    return node;
  };
  // Sorted input puts stacks that share a prefix next to each other: the frames shared with the previous
  // stack are found with a few native prefix comparisons per stack (a binary search over the previous
  // stack's frame ends), not one comparison per frame. Sorting a copy costs far less than it saves (stacks
  // arrive sorted by count from a session, by name from stackcollapse).
  const input = [...folded].sort((a, b) => (a.stack < b.stack ? -1 : a.stack === b.stack ? 0 : 1));
  // The previous stack's frames: node per depth, and where each frame ends in its text.
  const pathNode: number[] = [];
  const pathEnd: number[] = [];
  let prev = '';
  for (const item of input) {
    const { stack, count } = item;
    if (!(count > 0) || !Number.isFinite(count) || typeof stack !== 'string' || stack.length === 0) continue;
    let depth = sharedFrames(prev, stack, pathEnd);
    let start = depth > 0 ? pathEnd[depth - 1] + 1 : 0;
    pathNode.length = depth;
    pathEnd.length = depth;
    let cur = depth > 0 ? pathNode[depth - 1] : 0;
    // Manual split: no array per stack.
    while (start <= stack.length) {
      let end = stack.indexOf(';', start);
      if (end < 0) end = stack.length;
      if (end > start) {
        depth++;
        cur = childOf(cur, stack.slice(start, end), depth);
        pathNode.push(cur);
        pathEnd.push(end);
      }
      start = end + 1;
    }
    // Totals are summed bottom-up once at the end: here only the leaf is counted.
    g.self[cur] += count;
    onLeaf?.(item, cur);
    if (depth > maxDepth) maxDepth = depth;
    prev = stack;
  }
  // A child is always created after its parent (a higher id): one backward pass adds subtrees up.
  for (let n = g.size - 1; n > 0; n--) {
    g.total[n] += g.self[n];
    g.total[g.parent[n]] += g.total[n];
  }
  g.total[0] += g.self[0];
  sortChildren(g, names);
  return {
    names,
    nameOf: g.nameOf.subarray(0, g.size),
    parent: g.parent.subarray(0, g.size),
    depth: g.depth.subarray(0, g.size),
    total: g.total.subarray(0, g.size),
    self: g.self.subarray(0, g.size),
    firstChild: g.firstChild.subarray(0, g.size),
    nextSibling: g.nextSibling.subarray(0, g.size),
    kernel: g.kernel.subarray(0, g.size),
    size: g.size,
    maxDepth,
  };
}

/**
 * How many leading frames `stack` shares with `prev`, whose frames end at `ends` (strictly increasing).
 * Frames match while the texts agree up to a frame's end and `stack` has a separator (or ends) there.
 */
function sharedFrames(prev: string, stack: string, ends: readonly number[]): number {
  const n = ends.length;
  // Whether the texts agree up to the end of frame `d` (1-based), by a native comparison of substring
  // views (V8 compares them with memcmp; `startsWith` with a position is several times slower).
  const agree = (d: number): boolean => {
    const e = ends[d - 1];
    return e <= stack.length && stack.slice(0, e) === (e === prev.length ? prev : prev.slice(0, e));
  };
  // Agreement is monotone in depth. Sorted neighbours mostly differ in the last frame or two: probe from
  // the deep end in growing steps (n, n-1, n-3, n-7, …), then binary-search the last gap.
  let lo = 0;
  let hi = n;
  let d = n;
  let step = 1;
  while (d > 0) {
    if (agree(d)) {
      lo = d;
      break;
    }
    hi = d - 1;
    d = hi - (step - 1);
    step *= 2;
  }
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (agree(mid)) lo = mid;
    else hi = mid - 1;
  }
  // The frame must also end where `stack`'s does ("a;b" does not share b with "a;bc"). Shallower frames
  // end inside the agreeing text, before a ';' both have.
  if (lo > 0) {
    const e = ends[lo - 1];
    if (e < stack.length && stack.charCodeAt(e) !== 59) lo--;
  }
  return lo;
}

/** Relink each child list in name order (names ranked once, then small per-parent sorts). */
function sortChildren(g: Grow, names: string[]): void {
  const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b));
  const rank = new Int32Array(names.length);
  order.forEach((id, r) => (rank[id] = r));
  const buf: number[] = [];
  for (let p = 0; p < g.size; p++) {
    const first = g.firstChild[p];
    if (first < 0 || g.nextSibling[first] < 0) continue;
    let sorted = true;
    for (let c = first; g.nextSibling[c] >= 0; c = g.nextSibling[c])
      if (rank[g.nameOf[c]] > rank[g.nameOf[g.nextSibling[c]]]) {
        sorted = false;
        break;
      }
    if (sorted) continue;
    buf.length = 0;
    for (let c = first; c >= 0; c = g.nextSibling[c]) buf.push(c);
    buf.sort((a, b) => rank[g.nameOf[a]] - rank[g.nameOf[b]]);
    g.firstChild[p] = buf[0];
    g.lastChild[p] = buf[buf.length - 1];
    for (let i = 0; i < buf.length; i++) g.nextSibling[buf[i]] = i + 1 < buf.length ? buf[i + 1] : -1;
  }
}

export function children(tree: FlameTree, node: number): number[] {
  const out: number[] = [];
  for (let c = tree.firstChild[node]; c >= 0; c = tree.nextSibling[c]) out.push(c);
  return out;
}

/** Root-first frame names from the root's child down to `node` (the zoom path kept in view state). */
export function pathOf(tree: FlameTree, node: number): string[] {
  const out: string[] = [];
  for (let n = node; n > 0; n = tree.parent[n]) out.push(tree.names[tree.nameOf[n]]);
  return out.reverse();
}

/** The node at a saved path, or the deepest node that still matches (0 = root). */
export function nodeAtPath(tree: FlameTree, path: readonly string[]): number {
  let cur = 0;
  for (const name of path) {
    let next = -1;
    for (let c = tree.firstChild[cur]; c >= 0; c = tree.nextSibling[c]) {
      if (tree.names[tree.nameOf[c]] === name) {
        next = c;
        break;
      }
    }
    if (next < 0) break;
    cur = next;
  }
  return cur;
}

/**
 * Name ids matching a search: case-insensitive substring, or a regular expression written `/…/`.
 * Returns null for an empty query; an invalid expression matches nothing.
 */
export function matchNames(tree: FlameTree, query: string): Uint8Array | null {
  const q = query.trim();
  if (q === '') return null;
  let test: (name: string) => boolean;
  const re = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (re) {
    try {
      const rx = new RegExp(re[1], re[2].includes('i') ? 'i' : '');
      test = (name) => rx.test(name);
    } catch {
      test = () => false;
    }
  } else {
    const lower = q.toLowerCase();
    test = (name) => name.toLowerCase().includes(lower);
  }
  const out = new Uint8Array(tree.names.length);
  for (let i = 1; i < tree.names.length; i++) if (test(tree.names[i])) out[i] = 1;
  return out;
}

/** Samples under matching frames, counted once per stack (a match below a match is not added again). */
export function matchedTotal(tree: FlameTree, matches: Uint8Array, root = 0, values = tree.total): number {
  let sum = 0;
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n !== root && matches[tree.nameOf[n]] === 1) {
      sum += values[n];
      continue;
    }
    for (let c = tree.firstChild[n]; c >= 0; c = tree.nextSibling[c]) stack.push(c);
  }
  return sum;
}

/** A comparison of two sets of stacks drawn as one tree (a differential flame graph). */
export interface DiffTree {
  /**
   * The union of both sides' frames. Each side is weighted by its own sample total, so a node's width is
   * the mean of its two shares and a frame found on one side only still shows (at half its share).
   */
  tree: FlameTree;
  /** Per node: share (0…1) of the before side's samples in this frame and below; likewise after. */
  before: Float64Array;
  after: Float64Array;
  /** Per node: self share of each side. */
  beforeSelf: Float64Array;
  afterSelf: Float64Array;
  beforeSamples: number;
  afterSamples: number;
}

interface SideStack extends FoldedStack {
  side: 0 | 1;
}

const sampleTotal = (folded: readonly FoldedStack[]) =>
  folded.reduce((a, f) => (f.count > 0 && Number.isFinite(f.count) && f.stack.length > 0 ? a + f.count : a), 0);

export function buildDiffTree(
  before: readonly FoldedStack[],
  after: readonly FoldedStack[],
  kernelSymbols?: ReadonlySet<string>,
): DiffTree {
  const totals = [sampleTotal(before), sampleTotal(after)];
  const sides = totals.filter((t) => t > 0).length || 1;
  const input: SideStack[] = [];
  [before, after].forEach((folded, side) => {
    if (!(totals[side] > 0)) return;
    for (const f of folded) input.push({ stack: f.stack, count: f.count / totals[side] / sides, side: side as 0 | 1 });
  });
  const leafNode: number[] = [];
  const leafShare: number[] = [];
  const leafSide: number[] = [];
  const tree = buildFlameTree(input, kernelSymbols, (s, node) => {
    leafNode.push(node);
    leafShare.push(s.count * sides);
    leafSide.push(s.side);
  });
  const self = [new Float64Array(tree.size), new Float64Array(tree.size)];
  for (let i = 0; i < leafNode.length; i++) self[leafSide[i]][leafNode[i]] += leafShare[i];
  const total = self.map((x) => Float64Array.from(x));
  for (const t of total) for (let n = tree.size - 1; n > 0; n--) t[tree.parent[n]] += t[n];
  return {
    tree,
    before: total[0],
    after: total[1],
    beforeSelf: self[0],
    afterSelf: self[1],
    beforeSamples: totals[0],
    afterSamples: totals[1],
  };
}
