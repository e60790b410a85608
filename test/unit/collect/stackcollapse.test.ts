import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CollapseLimitError,
  StackCollapser,
  collapseStream,
  collapseText,
} from '../../../src/core/collect/stackcollapse';
import { fixturesDir } from './fixtures';

const latin1 = (rel: string) => readFileSync(join(fixturesDir, rel), 'latin1');

// Reference outputs made by stackcollapse-perf.pl itself on our captured `perf script` outputs (see .cmd files).
for (const input of ['demo-g', 'demo-pidtid', 'demo-flat']) {
  for (const opt of ['kernel', 'pid', 'tid', 'all', 'addrs'] as const) {
    test(`demo ${input} --${opt} equals stackcollapse-perf.pl's output`, () => {
      const expected = latin1(`perf-script/${input}.collapsed-${opt}.txt`);
      assert.equal(collapseText(latin1(`perf-script/${input}.txt`), { [opt]: true }).text(), expected);
    });
  }
}

test('demo recording: 50 samples of 10101010 ns cpu-clock, io_uring send path present', () => {
  const c = collapseText(latin1('perf-script/demo-g.txt'), { kernel: true });
  assert.equal(c.stats.samples, 50);
  assert.equal(c.stats.event, 'cpu-clock:ppp');
  const stacks = c.sorted();
  assert.equal(
    stacks.reduce((s, [, n]) => s + n, 0),
    50 * 10101010,
  );
  assert.ok(stacks.some(([s]) => s.includes('IoUringExecutor::Context::runQueuedTasks;__io_uring_submit')));
  assert.ok(stacks.every(([s]) => s.startsWith('tcp_demo-w0;') || s.startsWith('tcp_demo-w1;')));
  // Perl's tidying drops frames whose name starts with "(" (here `(anonymous namespace)::sendAll`).
  assert.ok(!stacks.some(([s]) => s.includes('(anonymous namespace)')));
});

test('flat perf script (no call graphs) folds to nothing, exactly like the Perl script', () => {
  const c = collapseText(latin1('perf-script/demo-flat.txt'));
  assert.equal(c.text(), '');
  assert.equal(c.stats.samples, 0);
});

test('the event filter keeps the first event and reports the dropped one', () => {
  const c = collapseText(
    readFileSync(
      join(
        fixturesDir,
        '..',
        '..',
        '..',
        'shared',
        'conformance',
        'flamegraph',
        'test',
        'perf-cycles-instructions-01.txt',
      ),
      'latin1',
    ),
  );
  assert.equal(c.stats.event, 'instructions');
  assert.equal(c.stats.droppedEvent, 'cycles');
  assert.equal(c.stats.samples, 333);
  assert.equal(c.stats.filteredSamples, 111);
});

test('property: any chunking of the input gives the same folded output', () => {
  const text = latin1('perf-script/demo-g.txt');
  const expected = collapseText(text, { all: true }).text();
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 40 }), (cuts) => {
      const c = new StackCollapser({ all: true });
      let prev = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        c.push(text.slice(prev, cut));
        prev = cut;
      }
      c.push(text.slice(prev));
      c.end();
      assert.equal(c.text(), expected);
    }),
    { numRuns: 200 },
  );
});

test('property: mutated and random inputs never throw (other than the stack limit) and stay consistent', () => {
  const text = latin1('perf-script/demo-g.txt').slice(0, 20_000);
  const junk = fc.constantFrom(
    '(',
    ')',
    ' (',
    '\t',
    ';',
    '->',
    '+0x1f',
    '[unknown]',
    '\n',
    '\n\n',
    '"',
    'java',
    '\r',
    '\u00a0',
    '#',
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.nat(), fc.oneof(junk, fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }))),
        {
          maxLength: 30,
        },
      ),
      (edits) => {
        let t = text;
        for (const [pos, s] of edits) {
          const p = pos % (t.length + 1);
          t = t.slice(0, p) + s + t.slice(p + (pos % 3));
        }
        const c = collapseText(t);
        const out = c.text();
        const lines = out === '' ? [] : out.trimEnd().split('\n');
        assert.equal(lines.length, c.stacks().size);
        for (const line of lines) assert.match(line, / \d+$/);
      },
    ),
    { numRuns: 150 },
  );
});

test('limits: distinct stacks, frames per sample and line length are bounded', () => {
  const sample = (i: number) => `prog 1 1.0: 1 cpu-clock: \n\tffff f${i} (/bin/prog)\n\n`;
  let many = '';
  for (let i = 0; i < 20; i++) many += sample(i);
  assert.throws(() => collapseText(many, { maxStacks: 10 }), CollapseLimitError);

  let deep = 'prog 1 1.0: 1 cpu-clock: \n';
  for (let i = 0; i < 100; i++) deep += `\tffff f${i} (/bin/prog)\n`;
  const c = collapseText(deep + '\n', { maxFramesPerSample: 10 });
  assert.equal(c.stats.truncatedSamples, 1);
  assert.equal(c.sorted()[0][0].split(';').length, 11);

  const long = collapseText(`prog 1 1.0: 1 cpu-clock: \n\tffff ${'x'.repeat(5000)} (/bin/prog)\n\n`, {
    maxLineChars: 1000,
  });
  assert.equal(long.stats.truncatedLines, 1);
});

test('bounded memory: several hundred MB streamed through the collapser', async () => {
  // Samples of the real demo recording, repeated in random order and generated lazily chunk by chunk.
  const samples = latin1('perf-script/demo-g.txt')
    .split('\n\n')
    .filter((s) => s.trim() !== '')
    .map((s) => s + '\n\n');
  const targetBytes = 320 * 1024 * 1024;
  let produced = 0;
  let sampleCount = 0;
  let seed = 42;
  async function* generate(): AsyncGenerator<string> {
    while (produced < targetBytes) {
      let chunk = '';
      while (chunk.length < 1 << 20) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        chunk += samples[seed % samples.length];
        sampleCount++;
      }
      produced += chunk.length;
      yield chunk;
    }
  }
  const heap: number[] = [];
  let n = 0;
  const source = generate();
  const watched = {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        if (++n % 16 === 0) heap.push(process.memoryUsage().heapUsed);
        yield chunk;
      }
    },
  };
  const c = await collapseStream(watched, { kernel: true });
  assert.ok(produced >= targetBytes);
  assert.equal(c.stats.samples, sampleCount);
  assert.equal(
    c.sorted().reduce((s, [, k]) => s + k, 0),
    sampleCount * 10101010,
  );
  const early = Math.max(...heap.slice(0, 4));
  const late = Math.max(...heap.slice(-6));
  // Memory does not grow with input: the heap late in a 320 MB stream stays within 64 MB of the heap
  // after the first 64 MB, and far below the input size.
  assert.ok(late < early + 64 * 1024 * 1024, `heap grew from ${early} to ${late}`);
  assert.ok(Math.max(...heap) < 200 * 1024 * 1024, `heap peaked at ${Math.max(...heap)}`);
});
