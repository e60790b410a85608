import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFindingArg, parseFixArgs } from '../../../src/extension/command-args';

test('lens arguments: an object or positional ids', () => {
  assert.deepEqual(parseFixArgs([{ findingId: 'eventfd-wakeup-storm', fixId: 'coalesce-eventfd-wakeups' }]), {
    findingId: 'eventfd-wakeup-storm',
    fixId: 'coalesce-eventfd-wakeups',
    uri: undefined,
    line: undefined,
  });
  assert.deepEqual(
    parseFixArgs(['eventfd-wakeup-storm', 'coalesce-eventfd-wakeups', 'file:///w/src/executor.cpp', 41]),
    {
      findingId: 'eventfd-wakeup-storm',
      fixId: 'coalesce-eventfd-wakeups',
      uri: 'file:///w/src/executor.cpp',
      line: 41,
    },
  );
});

test('malformed or hostile arguments are refused', () => {
  for (const bad of [
    [],
    [null],
    [42, 'x'],
    ['a'],
    [{ findingId: 'a' }],
    ['../../etc', 'x'],
    ['a b', 'c'],
    ['a', 'x'.repeat(200)],
    ['a', 'b', 'file:///x', -1],
    ['a', 'b', 'file:///x', 1.5],
    ['<script>', 'b'],
  ]) {
    assert.equal(parseFixArgs(bad), null, JSON.stringify(bad));
  }
});

test('showFinding takes an id or the applyFix object', () => {
  assert.equal(parseFindingArg(['eventfd-wakeup-storm']), 'eventfd-wakeup-storm');
  assert.equal(parseFindingArg([{ findingId: 'tcp-retransmits', fixId: 'tune-tcp-buffers' }]), 'tcp-retransmits');
  assert.equal(
    parseFindingArg([{ findingId: 'eventfd-wakeup-storm', symbol: 'IoUringExecutor::wakeThread' }]),
    'eventfd-wakeup-storm',
  );
  assert.equal(parseFindingArg([{ findingId: 42 }]), null);
  assert.equal(parseFindingArg(['<img src=x>']), null);
  assert.equal(parseFindingArg([]), null);
});
