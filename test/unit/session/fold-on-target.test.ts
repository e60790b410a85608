import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FOLD_AWK } from '../../../src/core/session/scripts';
import { FoldDecoder } from '../../../src/core/session/fold-decode';
import { foldCollapser } from '../../../src/core/session/integrations';
import { collapseText } from '../../../src/core/collect/stackcollapse';
import { ParseError } from '../../../src/core/errors';
import { hotspotsFromFold, isKernelDso, splitFrame } from '../../../src/core/session/hotspots';

const raw = readFileSync(new URL('../../fixtures/session/perf-script-demo.txt', import.meta.url), 'utf8');

/** FOLD_AWK as it runs on the target (this machine's awk), decoded as the session decodes it. */
function foldOnTarget(text: string): { decoder: FoldDecoder; bytes: number } {
  const r = spawnSync('awk', [FOLD_AWK], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const decoder = new FoldDecoder();
  for (const line of r.stdout.split('\n')) if (line !== '') decoder.push(line);
  return { decoder, bytes: Buffer.byteLength(r.stdout) };
}

test('folding on the target gives exactly the folded stacks of the full perf script output', () => {
  const { decoder, bytes } = foldOnTarget(raw);
  const result = decoder.result();
  assert.equal(result.complete, true);
  assert.equal(result.unparsed, 0);
  const expected = collapseText(raw);
  assert.equal(result.samples, expected.stats.samples, 'every sample counted once');
  assert.ok(result.samples > 100);
  const ours = foldCollapser(decoder.scriptText());
  assert.deepEqual(new Map(ours.stacks()), new Map(expected.stacks()));
  assert.ok(
    [...ours.stacks().keys()].some((s) => s.includes('IoUringExecutor::scheduleOn;IoUringExecutor::wakeThread')),
  );
  // Only aggregates travel: the dictionary-coded output is a small fraction of the raw text.
  assert.ok(bytes < raw.length / 4, `${bytes} bytes back for ${raw.length} bytes of perf script`);
});

test('identical stacks from different threads of one name, times and addresses fold together', () => {
  const sample = (tid: number, time: string, addr: string) =>
    `tcp_demo-w0 100/${tid} ${time}: cpu-clock:ppp: \n\t${addr} leaf (/bin/x)\n\t    401000 main (/bin/x)\n\n`;
  const text =
    sample(101, '1.000001', '401234') + sample(101, '1.001002', '401238') + sample(102, '1.002003', '401234');
  const { decoder } = foldOnTarget(text);
  assert.equal(decoder.result().uniqueStacks, 1);
  assert.deepEqual([...foldCollapser(decoder.scriptText()).stacks()], [['tcp_demo-w0;main;leaf', 3]]);
});

test('frame lines in any address layout fold to the same frames as perf’s usual padded layout', () => {
  // perf pads addresses to 16 columns, which the fold cuts at a fixed column; any other layout takes the
  // general substitution. Both must give the same frames: re-lay every address of the capture without padding.
  const unpadded = raw.replace(/^\t *([0-9a-f]+) /gm, '\t$1 ');
  assert.notEqual(unpadded, raw);
  const a = foldOnTarget(raw).decoder;
  const b = foldOnTarget(unpadded).decoder;
  assert.deepEqual(b.result(), a.result());
  assert.deepEqual(new Map(foldCollapser(b.scriptText()).stacks()), new Map(foldCollapser(a.scriptText()).stacks()));
  // A short address followed by a symbol with spaces around column 18 is not mistaken for the padded layout.
  const odd =
    'x 1/1 1.000000: cpu-clock:ppp: \n\t  12 a b c d e f g h sym (/bin/x)\n\t0000000000401000 main (/bin/x)\n\n';
  assert.deepEqual(
    [...foldOnTarget(odd).decoder.stacksWithFrames()],
    [{ count: 1, comm: 'x', frames: ['a b c d e f g h sym (/bin/x)', 'main (/bin/x)'] }],
  );
});

test('a header perf changed the shape of is counted as unparsed, not folded wrongly', () => {
  const { decoder } = foldOnTarget('garbage header line\n\t401000 main (/bin/x)\n\n');
  assert.deepEqual(decoder.result(), { samples: 0, unparsed: 1, uniqueStacks: 0, complete: true });
});

test('the decoder refuses output that is not the folder’s', () => {
  const d = new FoldDecoder();
  assert.throws(() => d.push('@f x main'), ParseError);
  assert.throws(() => d.push('@h 1 no-tab-here'), ParseError);
  assert.throws(() => d.push('@s 3 1 -2'), ParseError);
  const e = new FoldDecoder();
  e.push('@h 1 comm\tcpu-clock:');
  e.push('@s 2 1 7');
  assert.throws(() => [...e.scriptText()], ParseError, 'a stack naming a frame never defined');
  const f = new FoldDecoder();
  f.push('@s 2 1');
  assert.equal(f.result().complete, false, 'no @total: the fold did not finish');
});

test('hotspots from the folded samples: self and children shares, callers, threads, kernel flag', () => {
  const { decoder } = foldOnTarget(raw);
  const { hotspots, samples } = hotspotsFromFold(decoder, 5000);
  assert.equal(samples, decoder.result().samples);
  const selfSum = hotspots.reduce((s, h) => s + h.self, 0);
  assert.ok(Math.abs(selfSum - 100) < 0.5, `self shares add up to 100%: ${selfSum}`);
  const wake = hotspots.find((h) => h.symbol === 'IoUringExecutor::wakeThread');
  assert.ok(wake && wake.dso === 'tcp_demo' && !wake.kernel);
  assert.ok(wake.callers.includes('IoUringExecutor::scheduleOn'), JSON.stringify(wake.callers));
  assert.ok(wake.threads.every((t) => t.startsWith('tcp_demo')));
  assert.ok((wake.children ?? 0) >= wake.self);
  const syscall = hotspots.find((h) => h.symbol === 'do_syscall_64');
  assert.ok(syscall && syscall.kernel && syscall.dso === '[kernel.kallsyms]');
});

test('frames: symbols with parentheses, deleted binaries, modules and anonymous maps', () => {
  assert.deepEqual(splitFrame('(anonymous namespace)::sendAll (/srv/app)'), {
    symbol: '(anonymous namespace)::sendAll',
    dso: 'app',
  });
  assert.deepEqual(splitFrame('main (/srv/app (deleted))'), { symbol: 'main', dso: 'app (deleted)' });
  assert.deepEqual(splitFrame('f(int) const ([kernel.kallsyms])'), {
    symbol: 'f(int) const',
    dso: '[kernel.kallsyms]',
  });
  assert.deepEqual(splitFrame('[unknown] ([unknown])'), { symbol: '[unknown]', dso: '[unknown]' });
  assert.equal(isKernelDso('[kernel.kallsyms]'), true);
  assert.equal(isKernelDso('xfs.ko'), true);
  assert.equal(isKernelDso('[vdso]'), false);
  assert.equal(isKernelDso('[unknown]'), false);
  assert.equal(isKernelDso('libc.so.6'), false);
});
