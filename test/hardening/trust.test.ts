/**
 * Workspace trust: an untrusted workspace (a cloned repository's .vscode/settings.json) cannot make Perf Lens
 * execute a binary or reach a host it names. Checked on the manifest (`untrustedWorkspaces: limited`, the
 * settings that name something to run or connect to are `restrictedConfigurations` and `scope: machine`) and
 * on the one module that turns settings into session options (src/extension/config-schema.ts), which the
 * extension feeds with VS Code's `inspect()` values and `workspace.isTrusted` (src/extension/config.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  RESTRICTED_KEYS,
  TOOL_NAMES,
  sessionOptionsFrom,
  validateConfig,
  type InspectedValue,
  type RawConfig,
} from '../../src/extension/config-schema';

const repoRoot = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, { scope?: string; type?: string }> } };
};

test('manifest: limited support in untrusted workspaces; settings that name what runs are restricted and machine-scoped', () => {
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  const props = manifest.contributes.configuration.properties;
  // Any setting that names a program, a path or a host to connect to.
  const naming = Object.keys(props).filter((k) => /path|ssh|host|tool|command|exec|binary/i.test(k));
  assert.ok(naming.includes('perfLens.toolPaths') && naming.includes('perfLens.sshTarget'), naming.join(', '));
  for (const key of naming) {
    assert.ok(trust.restrictedConfigurations.includes(key), `${key} is a restricted configuration`);
    assert.equal(props[key].scope, 'machine', `${key} has scope machine (never from workspace settings)`);
  }
  assert.deepEqual(
    [...RESTRICTED_KEYS].map((k) => `perfLens.${k}`).sort(),
    [...trust.restrictedConfigurations].sort(),
    'the config module restricts exactly what the manifest declares',
  );
});

test('the extension reads settings in one place, which passes workspace trust to the validation', () => {
  const dir = join(repoRoot, 'src', 'extension');
  const readers = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /getConfiguration\s*\(/.test(readFileSync(join(dir, f), 'utf8')));
  assert.deepEqual(readers, ['config.ts']);
  assert.match(readFileSync(join(dir, 'config.ts'), 'utf8'), /validateConfig\(raw, vscode\.workspace\.isTrusted\)/);
});

const hostilePath = fc.oneof(
  fc.constantFrom('/tmp/evil/perf', '/work/repo/.vscode/perf', '/bin/sh', '/proc/self/cwd/perf'),
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => `/${s}`),
);
const hostileHost = fc.oneof(
  fc.constantFrom('attacker.example', 'root@10.0.0.1:22', 'evil', '-oProxyCommand=touch /tmp/x'),
  fc.domain(),
);

test('property: untrusted workspace and folder values for tool paths and the ssh target are never used', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom(...TOOL_NAMES), hostilePath),
      hostileHost,
      fc.boolean(),
      fc.option(fc.constantFrom('/usr/bin/perf', '/opt/perf/bin/perf'), { nil: undefined }),
      (paths, host, asFolder, userPerf) => {
        const where = (v: unknown): InspectedValue => (asFolder ? { workspaceFolderValue: v } : { workspaceValue: v });
        const raw: RawConfig = {
          toolPaths: { defaultValue: {}, globalValue: userPerf ? { perf: userPerf } : undefined, ...where(paths) },
          sshTarget: { defaultValue: '', ...where(host) },
          duration: { defaultValue: 10, ...where(3) },
        };
        const { config } = validateConfig(raw, false);
        assert.deepEqual(config.toolPaths, userPerf ? { perf: userPerf } : {}, 'only the user’s own setting');
        assert.equal(config.sshTarget, null);
        assert.equal(config.duration, 3, 'harmless settings still apply');
        const options = sessionOptionsFrom(config, 'never');
        assert.deepEqual(options.toolPaths, userPerf ? { perf: userPerf } : {});
        for (const v of Object.values(options.toolPaths ?? {}))
          assert.ok(!Object.values(paths).includes(v) || v === userPerf);
      },
    ),
    { numRuns: 1000 },
  );
});

test('once trusted, workspace values apply (the user has accepted the folder); validation still holds', () => {
  const { config, problems } = validateConfig(
    {
      toolPaths: { workspaceValue: { perf: '/opt/perf/bin/perf', strace: 'strace', nope: '/x' } },
      sshTarget: { workspaceValue: '-oProxyCommand=touch /tmp/x' },
    },
    true,
  );
  assert.deepEqual(config.toolPaths, { perf: '/opt/perf/bin/perf' });
  assert.equal(config.sshTarget, null);
  assert.equal(problems.length, 3, JSON.stringify(problems));
});
