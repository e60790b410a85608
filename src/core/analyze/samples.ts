/**
 * Questions about perf samples ("on what share of stacks does X appear, under which callers?"),
 * answered from the folded stacks when the profile has them, else approximated from the hotspot table.
 *
 * Frames are interned once: each distinct frame name gets an id, each stack becomes an array of ids, and a
 * test is evaluated once per distinct name (a mask), so a question costs one pass of array lookups over
 * the stacks however many frames and regular expressions are involved (100k stacks answer in milliseconds).
 */
import type { FoldedStack, Hotspot } from '../profile';
import { baseName, CPU_CLOCK_ARTIFACT, displayName } from './patterns';

export type FrameTest = RegExp | ((frame: string) => boolean);

export interface PathMatch {
  /** Percent of samples. */
  share: number;
  /** The frames that matched each step on the heaviest matching stack (display names). */
  frames: string[];
  /** The caller just above the first step on the heaviest matching stack, when there is one. */
  caller: string | null;
}

interface Stack {
  ids: Int32Array;
  count: number;
}

export class Samples {
  private readonly stacks: Stack[];
  /** Distinct frame names; stacks refer to them by index. */
  private readonly names: string[] = [];
  private readonly display: string[] = [];
  private readonly masks = new Map<FrameTest, Uint8Array>();
  readonly total: number;
  /** True when the stacks were made from the hotspot table (no folded stacks in the profile). */
  private readonly synthetic: boolean;
  /** True when kernel frames carry stackcollapse's `_[k]` mark, so kernel and user frames can be told apart. */
  readonly annotated: boolean;

  constructor(
    folded: FoldedStack[],
    private readonly hotspots: Hotspot[],
  ) {
    const index = new Map<string, number>();
    const intern = (frames: string[]): Int32Array => {
      const ids = new Int32Array(frames.length);
      for (let i = 0; i < frames.length; i++) {
        let id = index.get(frames[i]);
        if (id === undefined) {
          id = this.names.length;
          index.set(frames[i], id);
          this.names.push(frames[i]);
          this.display.push(displayName(frames[i]));
        }
        ids[i] = id;
      }
      return ids;
    };
    // The root frame of a folded stack is the process/thread name (comm), not a function: drop it so a
    // program called "tcp_demo" never matches the kernel's tcp_* functions.
    const real: Stack[] = [];
    for (const s of folded) {
      if (!(s.count > 0) || s.stack.length === 0) continue;
      const frames = s.stack.split(';').slice(1);
      if (frames.length > 0) real.push({ ids: intern(frames), count: s.count });
    }
    // Without folded stacks, perf report's table still gives each symbol's self share and the callers of
    // its heaviest path: a "stack" per hotspot (callers root first, then the symbol) weighted by self
    // share approximates where time went under which callers.
    this.synthetic = real.length === 0;
    this.stacks = this.synthetic
      ? hotspots
          .filter((h) => h.self > 0)
          .map((h) => ({ ids: intern([...h.callers].reverse().concat(h.symbol)), count: h.self }))
      : real;
    // Self shares are already percent of all samples (a report cut by --percent-limit sums below 100).
    this.total = this.synthetic ? (this.stacks.length > 0 ? 100 : 0) : this.stacks.reduce((sum, s) => sum + s.count, 0);
    this.annotated = this.names.some((f) => f.endsWith('_[k]'));
  }

  /** Which distinct frames pass `test` (computed once per test object). */
  private mask(test: FrameTest): Uint8Array {
    let m = this.masks.get(test);
    if (!m) {
      m = new Uint8Array(this.names.length);
      for (let i = 0; i < this.names.length; i++) m[i] = matches(test, this.names[i]) ? 1 : 0;
      this.masks.set(test, m);
    }
    return m;
  }

  /** A frame test that only accepts kernel frames (when the stacks say which frames are kernel ones). */
  kernelOnly(test: FrameTest): FrameTest {
    if (this.total > 0 && this.annotated) return (frame) => frame.endsWith('_[k]') && matches(test, frame);
    if (this.total > 0) return test;
    const kernelSymbols = new Set(this.hotspots.filter((h) => h.kernel).map((h) => h.symbol));
    return (frame) => kernelSymbols.has(frame) && matches(test, frame);
  }

  /** True when any sample data exists (folded stacks or a hotspot table). */
  get present(): boolean {
    return this.total > 0 || this.hotspots.length > 0;
  }

  get fromStacks(): boolean {
    return this.total > 0 && !this.synthetic;
  }

  /** Percent of samples with a frame matching `test` anywhere on the stack. */
  anywhere(test: FrameTest): number {
    let fromStacks = 0;
    if (this.total > 0) {
      const m = this.mask(test);
      let hit = 0;
      for (const s of this.stacks) {
        for (let i = 0; i < s.ids.length; i++) {
          if (m[s.ids[i]]) {
            hit += s.count;
            break;
          }
        }
      }
      fromStacks = (100 * hit) / this.total;
      if (!this.synthetic) return fromStacks;
    }
    // From the table: children% is "on the stack" for one symbol; the largest is a lower bound for
    // the union, and the sum of self% another. Take the largest estimate.
    const hits = this.hotspots.filter((h) => matches(test, h.symbol));
    const maxChildren = Math.max(0, ...hits.map((h) => h.children ?? 0));
    const sumSelf = hits.reduce((sum, h) => sum + h.self, 0);
    return Math.min(100, Math.max(fromStacks, maxChildren, sumSelf));
  }

  /** Percent of samples whose leaf frame matches `test`. */
  leaf(test: FrameTest): number {
    if (this.total > 0) {
      const m = this.mask(test);
      let hit = 0;
      for (const s of this.stacks) if (m[s.ids[s.ids.length - 1]]) hit += s.count;
      return (100 * hit) / this.total;
    }
    return Math.min(
      100,
      this.hotspots.filter((h) => matches(test, h.symbol)).reduce((sum, h) => sum + h.self, 0),
    );
  }

  /**
   * Percent of samples where frames matching each test appear in this order from root to leaf (not
   * necessarily adjacent). Hotspot fallback: the last step's hotspots whose callers match the earlier steps.
   */
  path(tests: FrameTest[]): PathMatch {
    if (tests.length === 0) return { share: 0, frames: [], caller: null };
    let fromStacks: PathMatch | null = null;
    if (this.total > 0) {
      const masks = tests.map((t) => this.mask(t));
      let hit = 0;
      let best: { count: number; frames: string[]; caller: string | null } | null = null;
      for (const s of this.stacks) {
        const found = findInOrder(s.ids, masks);
        if (!found) continue;
        hit += s.count;
        if (!best || s.count > best.count) {
          const first = found[0];
          best = {
            count: s.count,
            frames: found.map((i) => this.display[s.ids[i]]),
            caller: first > 0 ? this.display[s.ids[first - 1]] : null,
          };
        }
      }
      fromStacks = { share: (100 * hit) / this.total, frames: best?.frames ?? [], caller: best?.caller ?? null };
      if (!this.synthetic) return fromStacks;
    }
    const last = tests[tests.length - 1];
    const earlier = tests.slice(0, -1);
    let share = 0;
    let frames: string[] = [];
    for (const h of this.hotspots) {
      if (!matches(last, h.symbol)) continue;
      const callerHits = earlier.map((t) => h.callers.find((c) => matches(t, c)) ?? null);
      if (callerHits.some((c) => c === null)) continue;
      const value = h.children ?? h.self;
      if (value > share) {
        share = value;
        frames = [...(callerHits as string[]).map(displayName), displayName(h.symbol)];
      }
    }
    if (fromStacks && fromStacks.share >= share) return fromStacks;
    return { share, frames, caller: null };
  }

  /** Callers (display names) directly above frames matching `test`, heaviest first. */
  callersOf(test: FrameTest, limit = 3): string[] {
    const weights = new Map<string, number>();
    if (this.total > 0) {
      const m = this.mask(test);
      for (const s of this.stacks) {
        for (let i = 1; i < s.ids.length; i++) {
          if (m[s.ids[i]] && !m[s.ids[i - 1]]) {
            const name = this.display[s.ids[i - 1]];
            weights.set(name, (weights.get(name) ?? 0) + s.count);
            break;
          }
        }
      }
    } else {
      for (const h of this.hotspots) {
        if (!matches(test, h.symbol)) continue;
        for (const c of h.callers) weights.set(displayName(c), (weights.get(displayName(c)) ?? 0) + h.self);
      }
    }
    return [...weights.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name]) => name);
  }

  /**
   * The heaviest chain of callers above the first frame matching `test`, skipping wrapper frames
   * (`skip`), up to `depth` names, nearest first: e.g. ["lock_sock_nested", "tcp_recvmsg"].
   */
  callerChain(test: FrameTest, skip: FrameTest, depth = 2): string[] {
    const m = this.mask(test);
    const skipMask = this.mask(skip);
    const weights = new Map<string, { count: number; chain: string[] }>();
    for (const s of this.stacks) {
      let at = -1;
      for (let i = 0; i < s.ids.length; i++) {
        if (m[s.ids[i]]) {
          at = i;
          break;
        }
      }
      if (at <= 0) continue;
      const chain: string[] = [];
      for (let i = at - 1; i >= 0 && chain.length < depth; i--) {
        if (skipMask[s.ids[i]] || m[s.ids[i]]) continue;
        chain.push(this.display[s.ids[i]]);
      }
      if (chain.length === 0) continue;
      const key = chain.join(' ← ');
      const entry = weights.get(key) ?? { count: 0, chain };
      entry.count += s.count;
      weights.set(key, entry);
    }
    let best: { count: number; chain: string[] } | null = null;
    for (const e of weights.values()) if (!best || e.count > best.count) best = e;
    return best?.chain ?? [];
  }

  /** Self share per symbol (display name), from leaves or the hotspot table, heaviest first. */
  selfBySymbol(filter: (symbol: string, kernel: boolean) => boolean): Array<{ symbol: string; self: number }> {
    const weights = new Map<string, number>();
    if (this.total > 0) {
      const kernelOf = new Map(this.hotspots.map((h) => [displayName(h.symbol), h.kernel]));
      const byLeaf = new Map<number, number>();
      for (const s of this.stacks) {
        const leaf = s.ids[s.ids.length - 1];
        byLeaf.set(leaf, (byLeaf.get(leaf) ?? 0) + s.count);
      }
      for (const [id, count] of byLeaf) {
        const name = this.display[id];
        const kernel = kernelOf.get(name) ?? this.names[id].endsWith('_[k]');
        if (!filter(name, kernel)) continue;
        weights.set(name, (weights.get(name) ?? 0) + count);
      }
      return [...weights.entries()]
        .map(([symbol, count]) => ({ symbol, self: (100 * count) / this.total }))
        .sort((a, b) => b.self - a.self);
    }
    for (const h of this.hotspots) {
      const name = displayName(h.symbol);
      if (!filter(name, h.kernel)) continue;
      weights.set(name, (weights.get(name) ?? 0) + h.self);
    }
    return [...weights.entries()].map(([symbol, self]) => ({ symbol, self })).sort((a, b) => b.self - a.self);
  }
}

export function matches(test: FrameTest, frame: string): boolean {
  if (typeof test === 'function') return test(frame);
  return test.test(baseName(frame)) || test.test(displayName(frame));
}

/** A frame test that ignores the functions cpu-clock sampling over-weights. */
export function notArtifact(test: FrameTest): FrameTest {
  return (frame) => !matches(CPU_CLOCK_ARTIFACT, frame) && matches(test, frame);
}

function findInOrder(ids: Int32Array, masks: Uint8Array[]): number[] | null {
  const found: number[] = [];
  let from = 0;
  for (const m of masks) {
    let i = from;
    while (i < ids.length && !m[ids[i]]) i++;
    if (i >= ids.length) return null;
    found.push(i);
    from = i + 1;
  }
  return found;
}
