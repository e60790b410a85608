/**
 * Questions about perf samples ("on what share of stacks does X appear, under which callers?"),
 * answered from the folded stacks when the profile has them, else approximated from the hotspot table.
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

export class Samples {
  private readonly stacks: Array<{ frames: string[]; count: number }>;
  readonly total: number;

  constructor(
    folded: FoldedStack[],
    private readonly hotspots: Hotspot[],
  ) {
    // The root frame of a folded stack is the process/thread name (comm), not a function: drop it so a
    // program called "tcp_demo" never matches the kernel's tcp_* functions.
    const real = folded
      .filter((s) => s.count > 0 && s.stack.length > 0)
      .map((s) => ({ frames: s.stack.split(';').slice(1), count: s.count }))
      .filter((s) => s.frames.length > 0);
    // Without folded stacks, perf report's table still gives each symbol's self share and the callers of
    // its heaviest path: a "stack" per hotspot (callers root first, then the symbol) weighted by self
    // share approximates where time went under which callers.
    this.synthetic = real.length === 0;
    this.stacks = this.synthetic
      ? hotspots
          .filter((h) => h.self > 0)
          .map((h) => ({ frames: [...h.callers].reverse().concat(h.symbol), count: h.self }))
      : real;
    // Self shares are already percent of all samples (a report cut by --percent-limit sums below 100).
    this.total = this.synthetic ? (this.stacks.length > 0 ? 100 : 0) : this.stacks.reduce((sum, s) => sum + s.count, 0);
    this.annotated = this.stacks.some((s) => s.frames.some((f) => f.endsWith('_[k]')));
  }

  /** True when the stacks were made from the hotspot table (no folded stacks in the profile). */
  private readonly synthetic: boolean;

  /** True when kernel frames carry stackcollapse's `_[k]` mark, so kernel and user frames can be told apart. */
  readonly annotated: boolean;

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
      let hit = 0;
      for (const s of this.stacks) if (s.frames.some((f) => matches(test, f))) hit += s.count;
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
      let hit = 0;
      for (const s of this.stacks) if (matches(test, s.frames[s.frames.length - 1])) hit += s.count;
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
      let hit = 0;
      let best: { count: number; frames: string[]; caller: string | null } | null = null;
      for (const s of this.stacks) {
        const found = findInOrder(s.frames, tests);
        if (!found) continue;
        hit += s.count;
        if (!best || s.count > best.count) {
          const first = found[0];
          best = {
            count: s.count,
            frames: found.map((i) => displayName(s.frames[i])),
            caller: first > 0 ? displayName(s.frames[first - 1]) : null,
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
    let caller: string | null = null;
    for (const h of this.hotspots) {
      if (!matches(last, h.symbol)) continue;
      const callerHits = earlier.map((t) => h.callers.find((c) => matches(t, c)) ?? null);
      if (callerHits.some((c) => c === null)) continue;
      const value = h.children ?? h.self;
      if (value > share) {
        share = value;
        frames = [...(callerHits as string[]).map(displayName), displayName(h.symbol)];
        caller = null;
      }
    }
    if (fromStacks && fromStacks.share >= share) return fromStacks;
    return { share, frames, caller };
  }

  /** Callers (display names) directly above frames matching `test`, heaviest first. */
  callersOf(test: FrameTest, limit = 3): string[] {
    const weights = new Map<string, number>();
    if (this.total > 0) {
      for (const s of this.stacks) {
        for (let i = 1; i < s.frames.length; i++) {
          if (matches(test, s.frames[i]) && !matches(test, s.frames[i - 1])) {
            const name = displayName(s.frames[i - 1]);
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
    const weights = new Map<string, { count: number; chain: string[] }>();
    for (const s of this.stacks) {
      const at = s.frames.findIndex((f) => matches(test, f));
      if (at <= 0) continue;
      const chain: string[] = [];
      for (let i = at - 1; i >= 0 && chain.length < depth; i--) {
        if (matches(skip, s.frames[i]) || matches(test, s.frames[i])) continue;
        chain.push(displayName(s.frames[i]));
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
    const kernelOf = new Map(this.hotspots.map((h) => [displayName(h.symbol), h.kernel]));
    if (this.total > 0) {
      for (const s of this.stacks) {
        const leafRaw = s.frames[s.frames.length - 1];
        const leaf = displayName(leafRaw);
        const kernel = kernelOf.get(leaf) ?? /_\[k\]$/.test(leafRaw);
        if (!filter(leaf, kernel)) continue;
        weights.set(leaf, (weights.get(leaf) ?? 0) + s.count);
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

function findInOrder(frames: string[], tests: FrameTest[]): number[] | null {
  const found: number[] = [];
  let from = 0;
  for (const t of tests) {
    let i = from;
    while (i < frames.length && !matches(t, frames[i])) i++;
    if (i >= frames.length) return null;
    found.push(i);
    from = i + 1;
  }
  return found;
}
