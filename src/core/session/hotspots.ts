/**
 * Hotspots from the samples perf script printed (decoded from the fold on the target): per function and
 * object, the share of samples it was the leaf of (self) and the share it was anywhere on the stack
 * (children), its heaviest callers and the threads it ran on — what `perf report --children --sort dso,sym`
 * shows, computed from the same samples, so the post-processing reads perf.data once instead of twice.
 */
import type { Hotspot } from '../profile';
import type { FoldDecoder } from './fold-decode';

const NOT_KERNEL = new Set(['[unknown]', '[vdso]', '[vsyscall]', '[heap]', '[stack]', '[anon]', '[jit]']);

/**
 * `symbol (dso)` → its parts (the dso is the last parenthesised group). A dso path becomes its file name,
 * as perf report shows it (`/usr/lib/…/libc.so.6` → `libc.so.6`).
 */
export function splitFrame(frame: string): { symbol: string; dso: string } {
  // The dso starts with '/' or '[' and may itself hold parentheses (`/srv/app (deleted)`).
  const m = /^(.*?) \(([/[].*)\)$/.exec(frame) ?? /^(.*) \(([^()]*)\)$/.exec(frame);
  if (!m) return { symbol: frame, dso: '[unknown]' };
  const dso = m[2] === '' ? '[unknown]' : m[2].startsWith('/') ? m[2].slice(m[2].lastIndexOf('/') + 1) : m[2];
  return { symbol: m[1] === '' ? '[unknown]' : m[1], dso };
}

export function isKernelDso(dso: string): boolean {
  if (dso.endsWith('vmlinux') || dso.endsWith('.ko') || dso.endsWith('.ko.xz') || dso.endsWith('.ko.zst')) return true;
  return /^\[[^\]]+\]$/.test(dso) && !NOT_KERNEL.has(dso);
}

/** Leaf-first stacks with counts → hotspots, heaviest self first (ties: heaviest children first). */
export function hotspotsFromStacks(
  stacks: Iterable<{ count: number; comm: string; frames: string[] }>,
  max = 300,
): { hotspots: Hotspot[]; samples: number } {
  let total = 0;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const threads = new Map<string, Set<string>>();
  for (const { count, comm, frames } of stacks) {
    total += count;
    if (frames.length === 0) continue;
    self.set(frames[0], (self.get(frames[0]) ?? 0) + count);
    const seen = new Set<string>();
    frames.forEach((f, i) => {
      if (!seen.has(f)) {
        seen.add(f);
        incl.set(f, (incl.get(f) ?? 0) + count);
        const th = threads.get(f) ?? new Set<string>();
        if (th.size < 16) th.add(comm);
        threads.set(f, th);
      }
      const caller = frames[i + 1];
      if (caller !== undefined && caller !== f) {
        const c = callers.get(f) ?? new Map<string, number>();
        c.set(caller, (c.get(caller) ?? 0) + count);
        callers.set(f, c);
      }
    });
  }
  if (total === 0) return { hotspots: [], samples: 0 };
  const pct = (v: number) => Math.round((v / total) * 10000) / 100;
  const hotspots = [...incl.keys()]
    .map((frame): Hotspot => {
      const { symbol, dso } = splitFrame(frame);
      const topCallers = [...(callers.get(frame) ?? new Map<string, number>())]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([c]) => splitFrame(c).symbol);
      return {
        symbol,
        dso,
        kernel: isKernelDso(dso),
        self: pct(self.get(frame) ?? 0),
        children: pct(incl.get(frame) ?? 0),
        file: null,
        line: null,
        callers: [...new Set(topCallers)],
        threads: [...(threads.get(frame) ?? [])].sort(),
      };
    })
    .sort((a, b) => b.self - a.self || (b.children ?? 0) - (a.children ?? 0) || (a.symbol < b.symbol ? -1 : 1));
  // Keep the heaviest by self time and the heaviest by total time (callers high up have little self).
  const keep = new Set([
    ...hotspots.slice(0, Math.ceil(max / 2)),
    ...[...hotspots].sort((a, b) => (b.children ?? 0) - (a.children ?? 0)).slice(0, Math.floor(max / 2)),
  ]);
  return { hotspots: hotspots.filter((h) => keep.has(h)), samples: total };
}

export function hotspotsFromFold(decoder: FoldDecoder, max = 300): { hotspots: Hotspot[]; samples: number } {
  return hotspotsFromStacks(decoder.stacksWithFrames(), max);
}
