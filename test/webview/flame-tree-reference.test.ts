/**
 * The flame tree against a straightforward reference: every prefix path of every stack (split on ';',
 * empty frames skipped) summed in a Map. The tree's build takes shortcuts (sorted input, shared-prefix
 * search, totals added up at the end); this proves it still counts exactly what the plain computation
 * does, on real folded stacks captured from the demo server and on the 100k-frame widening the benchmark
 * renders.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FoldedStack } from '../../src/core/profile';
import { buildFlameTree, displayName, isKernelFrame, type FlameTree } from '../../webview/flame/tree';
import { loadFixtureProfile } from './harness';

const FIXTURES = join(__dirname, '..', 'fixtures');

interface RefNode {
  total: number;
  self: number;
  kernel: boolean;
  children: Set<string>;
}

/** Path key of display names; raw frames that display alike (`f` and `f_[k]`) are merged on both sides. */
const SEP = '\u0000';

function reference(folded: readonly FoldedStack[], kernelSymbols?: ReadonlySet<string>) {
  const nodes = new Map<string, RefNode>();
  const rawPaths = new Set<string>();
  let all = 0;
  let maxDepth = 0;
  const root: RefNode = { total: 0, self: 0, kernel: false, children: new Set() };
  for (const { stack, count } of folded) {
    if (!(count > 0) || !Number.isFinite(count) || stack.length === 0) continue;
    all += count;
    const frames = stack.split(';').filter((f) => f !== '');
    maxDepth = Math.max(maxDepth, frames.length);
    let key = '';
    let raw = '';
    let kernel = false;
    let parent = root;
    for (const f of frames) {
      key += SEP + displayName(f);
      raw += SEP + f;
      rawPaths.add(raw);
      kernel = kernel || isKernelFrame(f, kernelSymbols);
      let n = nodes.get(key);
      if (!n) nodes.set(key, (n = { total: 0, self: 0, kernel: false, children: new Set() }));
      n.total += count;
      n.kernel = n.kernel || kernel;
      parent.children.add(key);
      parent = n;
    }
    parent.self += count;
  }
  root.total = all;
  return { nodes, root, all, maxDepth, size: rawPaths.size };
}

function treeByPath(t: FlameTree) {
  const key = new Array<string>(t.size);
  key[0] = '';
  const out = new Map<string, { total: number; self: number; kernel: boolean }>();
  for (let n = 1; n < t.size; n++) {
    key[n] = key[t.parent[n]] + SEP + t.names[t.nameOf[n]];
    const o = out.get(key[n]) ?? { total: 0, self: 0, kernel: false };
    o.total += t.total[n];
    o.self += t.self[n];
    o.kernel = o.kernel || t.kernel[n] === 1;
    out.set(key[n], o);
  }
  return out;
}

function assertMatchesReference(folded: readonly FoldedStack[], kernelSymbols?: ReadonlySet<string>): FlameTree {
  const t = buildFlameTree(folded, kernelSymbols);
  const ref = reference(folded, kernelSymbols);
  assert.equal(t.total[0], ref.all, 'all samples');
  assert.equal(t.self[0], ref.root.self, 'samples of stacks without frames');
  assert.equal(t.size - 1, ref.size, 'one node per distinct frame path');
  assert.equal(t.maxDepth, ref.maxDepth);
  const got = treeByPath(t);
  assert.equal(got.size, ref.nodes.size);
  for (const [key, r] of ref.nodes) {
    const g = got.get(key);
    assert.ok(g, `missing ${key.split(SEP).join(';')}`);
    assert.equal(g.total, r.total, `total of ${key.split(SEP).join(';')}`);
    assert.equal(g.self, r.self, `self of ${key.split(SEP).join(';')}`);
    assert.equal(g.kernel, r.kernel, `kernel flag of ${key.split(SEP).join(';')}`);
  }
  // Structure: depth, parents add up, children in name order (as flamegraph.pl orders them).
  for (let n = 0; n < t.size; n++) {
    let sum = t.self[n];
    let prevName: string | null = null;
    for (let c = t.firstChild[n]; c >= 0; c = t.nextSibling[c]) {
      assert.equal(t.parent[c], n);
      assert.equal(t.depth[c], t.depth[n] + 1);
      sum += t.total[c];
      const name = t.names[t.nameOf[c]];
      if (prevName !== null) assert.ok(prevName <= name, `children of ${n} out of order: ${prevName} > ${name}`);
      prevName = name;
    }
    assert.equal(sum, t.total[n], `node ${n}: self + children = total`);
  }
  return t;
}

/** `stackcollapse-perf.pl` output: `frame;frame;… count` per line. */
function readCollapsed(file: string): FoldedStack[] {
  return readFileSync(join(FIXTURES, 'perf-script', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const i = l.lastIndexOf(' ');
      return { stack: l.slice(0, i), count: Number(l.slice(i + 1)) };
    });
}

describe('flame tree = reference computation', () => {
  it('on the captured demo session Profile (counts order, kernel symbols from its hotspots)', () => {
    const p = loadFixtureProfile();
    assert.ok(p.folded.length > 100);
    const kernel = new Set(p.hotspots.filter((h) => h.kernel).map((h) => h.symbol));
    assertMatchesReference(p.folded, kernel);
  });

  it('on stackcollapse-perf.pl output captured from the demo (name order, pid/tid roots)', () => {
    for (const file of ['demo-g.collapsed-all.txt', 'demo-pidtid.collapsed-tid.txt', 'demo-g.collapsed-addrs.txt']) {
      const folded = readCollapsed(file);
      assert.ok(folded.length > 10, file);
      assertMatchesReference(folded);
    }
  });

  it('on the demo stacks widened under renamed roots as the benchmark does (20 copies)', () => {
    const p = loadFixtureProfile();
    const wide: FoldedStack[] = [];
    for (let k = 0; wide.length === 0 || k < 20; k++)
      for (const s of p.folded) {
        const i = s.stack.indexOf(';');
        wide.push({
          stack: i < 0 ? `${s.stack}#${k}` : `${s.stack.slice(0, i)}#${k}${s.stack.slice(i)}`,
          count: s.count,
        });
      }
    const t = assertMatchesReference(wide);
    assert.ok(t.size > 15_000, `${t.size} frames`);
  });

  it('on the demo stacks with frames that sort before the separator, doubled separators and duplicates', () => {
    const p = loadFixtureProfile();
    const tricky: FoldedStack[] = [];
    for (const s of p.folded.slice(0, 200)) {
      const frames = s.stack.split(';');
      tricky.push(s, { stack: s.stack, count: 1 });
      // "a;b" next to "a;b!x", "a;b x", "a;b:y" and "a;bz": in sorted order the same parent comes back later.
      for (const tail of ['!x', ' x', ':y', 'z']) tricky.push({ stack: frames.join(';') + tail, count: 2 });
      tricky.push({ stack: frames.join(';;'), count: 3 }, { stack: `;${s.stack};`, count: 1 });
      if (frames.length > 2) tricky.push({ stack: frames.slice(0, -1).join(';'), count: 1 });
    }
    tricky.push({ stack: ';', count: 4 }, { stack: 'x', count: 0 }, { stack: 'y', count: Number.NaN });
    assertMatchesReference(tricky);
  });
});
