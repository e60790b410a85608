import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_CONFIG,
  LIMITS,
  RESTRICTED_KEYS,
  TOOL_NAMES,
  effectiveValue,
  sessionOptionsFrom,
  validateConfig,
  validateSshTarget,
  type RawConfig,
} from '../../../src/extension/config-schema';

const user = (v: unknown) => ({ defaultValue: undefined, globalValue: v });

test('defaults when nothing is set', () => {
  const { config, problems } = validateConfig({}, true);
  assert.deepEqual(config, { ...DEFAULT_CONFIG, toolPaths: {} });
  assert.deepEqual(problems, []);
});

test('valid user settings are taken as they are', () => {
  const raw: RawConfig = {
    duration: user(3),
    frequency: user(499),
    callGraph: user('dwarf'),
    strace: user(true),
    sudo: user('passwordless'),
    toolPaths: user({ perf: '/opt/perf/bin/perf' }),
    sshTarget: user('deploy@build-01.example.com:2222'),
    historySize: user(5),
    perfDataMaxMiB: user(64),
  };
  const { config, problems } = validateConfig(raw, true);
  assert.deepEqual(problems, []);
  assert.equal(config.duration, 3);
  assert.equal(config.frequency, 499);
  assert.equal(config.callGraph, 'dwarf');
  assert.equal(config.strace, true);
  assert.equal(config.sudo, 'passwordless');
  assert.deepEqual(config.toolPaths, { perf: '/opt/perf/bin/perf' });
  assert.equal(config.sshTarget, 'deploy@build-01.example.com:2222');
  assert.equal(config.historySize, 5);
  assert.equal(config.perfDataMaxMiB, 64);
});

test('each invalid value falls back to its default with a message naming the setting', () => {
  const raw: RawConfig = {
    duration: user(0),
    frequency: user(2.5),
    callGraph: user('lbr'),
    strace: user('yes'),
    sudo: user('always'),
    historySize: user(-1),
    perfDataMaxMiB: user(Number.NaN),
  };
  const { config, problems } = validateConfig(raw, true);
  assert.equal(config.duration, DEFAULT_CONFIG.duration);
  assert.equal(config.frequency, DEFAULT_CONFIG.frequency);
  assert.equal(config.callGraph, DEFAULT_CONFIG.callGraph);
  assert.equal(config.strace, false);
  assert.equal(config.sudo, DEFAULT_CONFIG.sudo);
  assert.equal(config.historySize, DEFAULT_CONFIG.historySize);
  assert.equal(config.perfDataMaxMiB, DEFAULT_CONFIG.perfDataMaxMiB);
  assert.deepEqual(problems.map((p) => p.key).sort(), [
    'callGraph',
    'duration',
    'frequency',
    'historySize',
    'perfDataMaxMiB',
    'strace',
    'sudo',
  ]);
  for (const p of problems) assert.match(p.message, new RegExp(`^perfLens\\.${p.key} `));
});

test('bounds are inclusive', () => {
  for (const key of ['duration', 'frequency', 'historySize', 'perfDataMaxMiB'] as const) {
    const { min, max } = LIMITS[key];
    assert.equal(validateConfig({ [key]: user(min) }, true).config[key], min);
    assert.equal(validateConfig({ [key]: user(max) }, true).config[key], max);
    assert.equal(validateConfig({ [key]: user(max + 1) }, true).problems.length, 1);
    assert.equal(validateConfig({ [key]: user(min - 1) }, true).problems.length, 1);
  }
});

test('ssh targets that ssh would read as options, or that hide spaces and newlines, are refused', () => {
  for (const bad of [
    '-oProxyCommand=touch /tmp/x',
    '-p22 host',
    'host name',
    'host\nProxyCommand x',
    'user@-host',
    'host;id',
    'host:99999',
    '$(id)',
    '`id`',
  ]) {
    assert.notEqual(validateSshTarget(bad), null, bad);
    const { config, problems } = validateConfig({ sshTarget: user(bad) }, true);
    assert.equal(config.sshTarget, null, bad);
    assert.equal(problems[0]?.key, 'sshTarget');
  }
  for (const good of ['host', 'user@host', 'user@10.0.0.7:22', 'ops@[fe80::1]:2222', 'a.b-c.example.org']) {
    assert.equal(validateSshTarget(good), null, good);
  }
  assert.equal(validateConfig({ sshTarget: user('  ') }, true).config.sshTarget, null);
});

test('tool paths must be absolute, known tools, without control characters', () => {
  const { config, problems } = validateConfig(
    { toolPaths: user({ perf: 'perf', strace: '/usr/bin/strace', nc: '/bin/nc', ss: '/bin/ss\n-rm', pidstat: '' }) },
    true,
  );
  assert.deepEqual(config.toolPaths, { strace: '/usr/bin/strace' });
  assert.equal(problems.length, 3);
  assert.ok(problems.some((p) => p.message.includes('toolPaths.perf must be an absolute path')));
  assert.ok(problems.some((p) => p.message.includes('unknown tool "nc"')));
  assert.ok(problems.some((p) => p.message.includes('toolPaths.ss must not contain control characters')));
});

test('an untrusted workspace cannot choose tool paths, the ssh target, strace or sudo', () => {
  const raw: RawConfig = {
    toolPaths: {
      defaultValue: {},
      globalValue: { perf: '/usr/bin/perf' },
      workspaceValue: { perf: '/work/evil/perf' },
    },
    sshTarget: { defaultValue: '', workspaceFolderValue: 'attacker.example' },
    strace: { defaultValue: false, workspaceValue: true },
    sudo: { defaultValue: 'ask', globalValue: 'never', workspaceFolderValue: 'passwordless' },
    duration: { defaultValue: 10, workspaceValue: 4 },
  };
  const untrusted = validateConfig(raw, false).config;
  assert.deepEqual(untrusted.toolPaths, { perf: '/usr/bin/perf' });
  assert.equal(untrusted.sshTarget, null);
  assert.equal(untrusted.strace, false, 'a workspace cannot attach strace (95–98% throughput cost) to a server');
  assert.equal(untrusted.sudo, 'never', "the user's own sudo setting holds, not the workspace's");
  assert.equal(untrusted.duration, 4, 'harmless settings still apply');
  const trusted = validateConfig(raw, true).config;
  assert.deepEqual(trusted.toolPaths, { perf: '/work/evil/perf' });
  assert.equal(trusted.sshTarget, 'attacker.example');
  assert.equal(trusted.strace, true);
  assert.equal(trusted.sudo, 'passwordless');
  assert.deepEqual([...RESTRICTED_KEYS].sort(), ['sshTarget', 'strace', 'sudo', 'toolPaths']);
  assert.equal(effectiveValue('sshTarget', undefined, false), undefined);
});

test('session options carry the password only for password sudo', () => {
  const config = validateConfig({ toolPaths: user({ perf: '/usr/bin/perf' }) }, true).config;
  const a = sessionOptionsFrom(config, 'password', 'hunter2');
  assert.equal(a.sudoPassword, 'hunter2');
  const b = sessionOptionsFrom(config, 'passwordless', 'hunter2');
  assert.equal('sudoPassword' in b, false);
  assert.equal(b.durationSeconds, DEFAULT_CONFIG.duration);
  assert.deepEqual(b.toolPaths, { perf: '/usr/bin/perf' });
});

test('package.json declares the same settings, bounds, scopes and restricted keys', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const props = manifest.contributes.configuration.properties;
  for (const key of Object.keys(DEFAULT_CONFIG)) assert.ok(props[`perfLens.${key}`], `perfLens.${key} declared`);
  for (const [key, { min, max }] of Object.entries(LIMITS)) {
    assert.equal(props[`perfLens.${key}`].minimum, min, key);
    assert.equal(props[`perfLens.${key}`].maximum, max, key);
    assert.equal(props[`perfLens.${key}`].default, DEFAULT_CONFIG[key as keyof typeof LIMITS], key);
  }
  assert.deepEqual(Object.keys(props['perfLens.toolPaths'].properties).sort(), [...TOOL_NAMES].sort());
  for (const key of RESTRICTED_KEYS) {
    assert.equal(props[`perfLens.${key}`].scope, 'machine', key);
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`perfLens.${key}`), key);
  }
  assert.deepEqual(props['perfLens.sudo'].enum, ['never', 'ask', 'passwordless']);
});
