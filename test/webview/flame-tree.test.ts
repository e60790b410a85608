/** The flame graph's tree and layout (pure code, run in Node). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyLayout, hitTest, layout, MIN_PX, ROW } from '../../webview/flame/layout';
import { buildFlameTree, children, matchedTotal, matchNames, nodeAtPath, pathOf } from '../../webview/flame/tree';
import { loadFixtureProfile } from './harness';
import { generateFoldedStacks } from './generated-stacks';

const folded = [
  { stack: 'w0;main;b;write;entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k]', count: 30 },
  { stack: 'w0;main;a', count: 50 },
  { stack: 'w0;main', count: 5 },
  { stack: 'w1;main;a;ksys_write', count: 15 },
  { stack: 'w1;main;a;ksys_write', count: 0 },
  { stack: '', count: 3 },
];

describe('flame tree', () => {
  it('adds up totals and self samples and orders children by name', () => {
    const t = buildFlameTree(folded);
    assert.equal(t.total[0], 100);
    const [w0, w1] = children(t, 0);
    assert.deepEqual([t.names[t.nameOf[w0]], t.names[t.nameOf[w1]]], ['w0', 'w1']);
    const main = children(t, w0)[0];
    assert.equal(t.total[main], 85);
    assert.equal(t.self[main], 5);
    assert.deepEqual(
      children(t, main).map((c) => t.names[t.nameOf[c]]),
      ['a', 'b'],
    );
    assert.equal(t.maxDepth, 6);
    // Children never add up to more than their parent.
    for (let n = 0; n < t.size; n++) {
      const sum = children(t, n).reduce((a, c) => a + t.total[c], 0);
      assert.ok(sum + t.self[n] === t.total[n], `node ${n}`);
    }
  });

  it('marks kernel frames by _[k], by known entry points and below them, and strips the marker', () => {
    const t = buildFlameTree(folded, new Set(['ksys_write']));
    const kernelNames = new Set<string>();
    const userNames = new Set<string>();
    for (let n = 1; n < t.size; n++) (t.kernel[n] ? kernelNames : userNames).add(t.names[t.nameOf[n]]);
    assert.deepEqual([...kernelNames].sort(), ['do_syscall_64', 'entry_SYSCALL_64_after_hwframe', 'ksys_write']);
    assert.ok(userNames.has('write') && userNames.has('main'));
  });

  it('finds a saved zoom path again, or the deepest frame of it that still exists', () => {
    const t = buildFlameTree(folded);
    const b = children(t, children(t, children(t, 0)[0])[0])[1];
    assert.deepEqual(pathOf(t, b), ['w0', 'main', 'b']);
    assert.equal(nodeAtPath(t, ['w0', 'main', 'b']), b);
    assert.equal(nodeAtPath(t, ['w0', 'main', 'b', 'gone', 'deeper']), b);
    assert.equal(nodeAtPath(t, ['nothing']), 0);
  });

  it('searches by substring or /regex/, counting nested matches once', () => {
    const t = buildFlameTree(folded);
    assert.equal(matchedTotal(t, matchNames(t, 'WRITE')!), 45, 'write (30) + ksys_write (15), case-insensitive');
    assert.equal(matchedTotal(t, matchNames(t, '/^(main|a)$/')!), 100, 'a under main is not counted again');
    assert.equal(matchedTotal(t, matchNames(t, '/^a$/')!), 65);
    assert.equal(matchedTotal(t, matchNames(t, '/[/')!), 0, 'an invalid expression matches nothing');
    assert.equal(matchNames(t, '   '), null);
  });

  it('lays out only frames at least half a pixel wide and coalesces the rest; hit tests find them', () => {
    const gen = generateFoldedStacks({ frames: 20_000, seed: 3 });
    const t = buildFlameTree(gen.folded);
    assert.ok(t.size - 1 >= 20_000);
    const L = layout(t, 0, 800, 400, emptyLayout(t.size));
    assert.ok(L.drawn < t.size / 2, `drawn ${L.drawn} of ${t.size}`);
    let coalescedSamples = 0;
    for (let d = 0; d < L.nodes.length; d++) {
      const row = L.nodes[d] ?? [];
      for (let i = 0; i < row.length; i++) {
        assert.ok(L.w[row[i]] >= MIN_PX);
        if (i > 0) assert.ok(L.x[row[i]] >= L.x[row[i - 1]] + L.w[row[i - 1]] - 1e-6, 'no overlap in a row');
      }
      for (const r of L.coalesced[d] ?? []) coalescedSamples += r.samples;
    }
    assert.ok(coalescedSamples > 0);
    const top = children(t, 0).sort((a, b) => t.total[b] - t.total[a])[0];
    const hit = hitTest(L, L.x[top] + L.w[top] / 2, ROW * 1 + 2);
    assert.deepEqual(hit, { node: top });
  });

  it('builds the fixture profile’s stacks with every sample accounted for', () => {
    const p = loadFixtureProfile();
    const t = buildFlameTree(p.folded);
    assert.equal(
      t.total[0],
      p.folded.reduce((a, f) => a + f.count, 0),
    );
    assert.ok(t.size > 100);
  });
});
