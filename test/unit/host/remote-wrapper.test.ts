import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrapperLine, remoteCommandLine, REMOTE_WRAPPER } from '../../../src/core/host/remote-wrapper';
import { tempDirPrefix } from '../../../src/core/host/local-host';
import { HostError } from '../../../src/core/host/types';

test('wrapper control lines are recognised exactly, nothing else is', () => {
  assert.deepEqual(parseWrapperLine('perf-lens-wrapper: pgid 1234'), { kind: 'pgid', pgid: 1234 });
  assert.deepEqual(parseWrapperLine('perf-lens-wrapper: exit 0'), { kind: 'exit', code: 0 });
  assert.deepEqual(parseWrapperLine('perf-lens-wrapper: not-found'), { kind: 'not-found' });
  assert.equal(parseWrapperLine('perf-lens-wrapper: exit x'), null);
  assert.equal(parseWrapperLine(' perf-lens-wrapper: exit 0'), null);
  assert.equal(parseWrapperLine('perf record: exit 0'), null);
});

test('the remote command line carries the constant script; data only as quoted positional parameters', () => {
  const line = remoteCommandLine(['echo', '$(touch x)'], { A: "it's" }, 3);
  assert.ok(line.startsWith("sh -c 'n=$1; k=$2; shift 2"));
  assert.ok(line.endsWith(` perf-lens 3 1 'A=it'\\''s' echo '$(touch x)'`), line);
  assert.ok(!REMOTE_WRAPPER.includes('eval'));
});

test('temp dir prefixes are always perf-lens-… and inert', () => {
  assert.equal(tempDirPrefix(undefined), 'perf-lens-');
  assert.equal(tempDirPrefix('record'), 'perf-lens-record-');
  assert.equal(tempDirPrefix('perf-lens-x-'), 'perf-lens-x-');
  for (const bad of ['../x', 'a b', '$(id)', 'a/b', 'x'.repeat(41)]) {
    assert.throws(
      () => tempDirPrefix(bad),
      (e: unknown) => e instanceof HostError && e.code === 'INVALID',
    );
  }
});
