/**
 * GENERATED folded stacks for the flame graph's scale check and benchmark: a deterministic random call
 * tree with at least `frames` distinct frames (tree nodes), shaped like a server's profile (a few hot
 * paths, a long tail, kernel frames marked `_[k]` at the leaves). Not a fixture: made in the test.
 */
import type { FoldedStack } from '../../src/core/profile';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedStacks {
  folded: FoldedStack[];
  /** Distinct frames (tree nodes below the root). */
  frames: number;
  samples: number;
}

export function generateFoldedStacks(opts: { frames: number; seed?: number; maxDepth?: number }): GeneratedStacks {
  const rnd = mulberry32(opts.seed ?? 1);
  const maxDepth = opts.maxDepth ?? 48;
  const userNames = Array.from(
    { length: 4000 },
    (_, i) => `generated::Service${i % 97}::handler${i}(int, std::string const&)`,
  );
  const kernelNames = Array.from({ length: 600 }, (_, i) => `generated_kernel_fn${i}_[k]`);
  const pick = (xs: string[]) => xs[Math.floor(rnd() ** 2 * xs.length)];
  const stacks: string[][] = [];
  const seen = new Set<string>();
  let frames = 0;
  // Each new stack branches off a random prefix of an existing one, so frames grow by the new suffix.
  while (frames < opts.frames) {
    const base = stacks.length > 0 ? stacks[Math.floor(rnd() * stacks.length)] : [];
    const keep = Math.floor(rnd() * Math.min(base.length, maxDepth - 2));
    const frame = base.slice(0, keep);
    if (frame.length === 0) frame.push(`generated-worker-${Math.floor(rnd() * 8)}`);
    const depth = Math.min(maxDepth, frame.length + 2 + Math.floor(rnd() * 14));
    const kernelFrom = rnd() < 0.4 ? depth - 1 - Math.floor(rnd() * 6) : depth;
    while (frame.length < depth) frame.push(frame.length >= kernelFrom ? pick(kernelNames) : pick(userNames));
    let key = '';
    let added = 0;
    for (let i = 0; i < frame.length; i++) {
      key += (i ? ';' : '') + frame[i];
      if (!seen.has(key)) {
        seen.add(key);
        added++;
      }
    }
    if (added === 0) continue;
    frames += added;
    stacks.push(frame);
  }
  let samples = 0;
  const folded = stacks.map((s) => {
    const count = 1 + Math.floor(rnd() ** 6 * 400);
    samples += count;
    return { stack: s.join(';'), count };
  });
  folded.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  return { folded, frames, samples };
}
