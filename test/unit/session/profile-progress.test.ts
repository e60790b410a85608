import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress } from '../../../src/cli/commands/profile-progress';
import type { SessionEvent } from '../../../src/core/session/types';

function sink(tty: boolean, columns = 80): Writable & { isTTY?: boolean; columns?: number; text: () => string } {
  let buf = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; text: () => string };
  w.isTTY = tty;
  w.columns = columns;
  w.text = () => buf;
  return w;
}

const live = (cpu: number): SessionEvent => ({
  type: 'live',
  sample: {
    t: 1.04,
    process: { usr: 1, sys: cpu - 1, wait: 3, cpu },
    system: { usr: 10, nice: 0, sys: 20, iowait: 0, irq: 0, softirq: 5, steal: 0, idle: 65 },
  },
  threads: [{ tid: 7, name: 'worker\x1b[31m', usr: 1, sys: 2, wait: 0, cpu: 3, cswch: 1, nvcswch: 0 }],
  perCpu: [],
});

test('on a terminal: one status line redrawn in place, cut to the width, cleared at the end', () => {
  const out = sink(true, 60);
  const p = createProgress(out, false);
  p.event({
    type: 'progress',
    phase: 'record',
    fraction: 0.5,
    message: 'Recording 5/10 s: perf record -F 999 -g (fp), perf stat on 6 tracepoints',
  });
  p.event(live(42));
  p.line('a line of its own');
  p.close();
  const text = out.text();
  assert.ok(text.includes('\r\x1b[2K['), 'redraws with carriage return + clear line');
  assert.ok(text.includes(' 50%'));
  assert.ok(text.includes('cpu 42.0%'));
  for (const frame of text.split('\r\x1b[2K')) {
    const visible = frame.split('\n')[0];
    assert.ok([...visible].length <= 59, `frame fits 60 columns: ${JSON.stringify(visible)}`);
  }
  assert.ok(text.includes('a line of its own\n'));
  assert.ok(text.endsWith('\r\x1b[2K'), 'status line cleared before the report');
});

test('not on a terminal: plain lines, one per message, a line per live sample, names escaped', () => {
  const out = sink(false);
  const p = createProgress(out, false);
  p.event({ type: 'progress', phase: 'record', fraction: 0.1, message: 'Recording 1/2 s' });
  p.event({ type: 'progress', phase: 'record', fraction: 0.15, message: 'Recording 1/2 s' });
  p.event(live(42));
  p.event({ type: 'warning', message: 'process 7 exited' });
  const text = out.text();
  assert.equal(text.match(/\[record\] Recording 1\/2 s/g)?.length, 1, 'a repeated message is printed once');
  assert.match(text, /^ {2}t=1\.0s process 42\.0% \(usr 1\.0%, sys 41\.0%, run-queue wait 3\.0%\)/m);
  assert.ok(!text.includes('\x1b'), 'a thread name cannot send terminal escapes');
  assert.ok(text.includes('worker\\x1b[31m'));
  assert.match(text, /^warning: process 7 exited$/m);
});

test('--quiet prints nothing', () => {
  const out = sink(true);
  const p = createProgress(out, true);
  p.event(live(1));
  p.line('x');
  p.close();
  assert.equal(out.text(), '');
});
