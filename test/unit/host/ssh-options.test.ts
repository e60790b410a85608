import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSshOption, parseSshTarget, sshCommonArgs, validateSshOptions } from '../../../src/core/host/ssh-options';
import { createHost } from '../../../src/core/host/index';
import { SshHost } from '../../../src/core/host/ssh-host';
import { HostError } from '../../../src/core/host/types';

const invalid = (e: unknown) => e instanceof HostError && e.code === 'INVALID' && e.message.length > 10;

test('targets: user@host:port, plain hosts, aliases and IPv6', () => {
  assert.deepEqual(parseSshTarget('example.com'), { user: null, host: 'example.com', port: null });
  assert.deepEqual(parseSshTarget('deploy@10.0.0.7:2222'), { user: 'deploy', host: '10.0.0.7', port: 2222 });
  assert.deepEqual(parseSshTarget('prod_db'), { user: null, host: 'prod_db', port: null });
  assert.deepEqual(parseSshTarget('root@[::1]:22'), { user: 'root', host: '::1', port: 22 });
  assert.deepEqual(parseSshTarget('[fe80::1%eth0]'), { user: null, host: 'fe80::1%eth0', port: null });
});

test('targets that ssh could read as options, or that carry shell syntax, are refused', () => {
  for (const bad of [
    '-oProxyCommand=touch /tmp/x',
    '-oProxyCommand=touch',
    'user@-oProxyCommand=x',
    '-l',
    'a;b',
    '$(touch /tmp/x)',
    '`touch /tmp/x`',
    'host\nother',
    'host name',
    'host\tname',
    'ho"st',
    "ho'st",
    'host|x',
    'host&',
    '',
    'bad user@host',
    '-root@host',
    'user@',
    'host:0',
    'host:99999',
    'host:22x',
    '::1',
    '[::1',
    '[not-v6]:22',
    'host\u0000',
    'host\u007f',
  ]) {
    assert.throws(() => parseSshTarget(bad), invalid, JSON.stringify(bad));
    assert.throws(() => new SshHost(bad), invalid, JSON.stringify(bad));
  }
});

test('-o options: Key=Value only; command-running and managed options refused', () => {
  checkSshOption('ServerAliveInterval=15');
  checkSshOption('SetEnv=SHLVL=1');
  checkSshOption('ProxyJump=bastion.example.com,deploy@jump2:2222');
  for (const bad of [
    'ProxyCommand=touch /tmp/x',
    'proxycommand=nc %h %p',
    'LocalCommand=id',
    'PermitLocalCommand=yes',
    'KnownHostsCommand=/bin/id',
    'RemoteCommand=id',
    'ControlPath=/tmp/x',
    'BatchMode=no',
    'ProxyJump=-oProxyCommand=x',
    'ProxyJump=a;b',
    '-oProxyCommand=x',
    'ServerAliveInterval 15',
    'Key=',
    'Key=\nProxyCommand=x',
    '',
  ]) {
    assert.throws(() => checkSshOption(bad), invalid, JSON.stringify(bad));
  }
});

test('file options are checked before ssh runs', () => {
  assert.throws(() => validateSshOptions({ identityFile: '/nonexistent/key' }), invalid);
  assert.throws(() => validateSshOptions({ identityFile: '-oProxyCommand=x' }), invalid);
  assert.throws(() => validateSshOptions({ configFile: '/etc/%h' }), invalid);
  assert.throws(() => validateSshOptions({ knownHostsFile: '/tmp/a b' }), invalid);
  assert.throws(() => validateSshOptions({ port: 0 }), invalid);
  assert.throws(() => validateSshOptions({ port: 1.5 }), invalid);
  assert.throws(() => validateSshOptions({ connectTimeoutSeconds: -1 }), invalid);
  assert.throws(() => new SshHost('h', { extraOptions: ['ProxyCommand=touch /tmp/x'] }), invalid);
  validateSshOptions({ configFile: '/dev/null', knownHostsFile: '/tmp/kh', port: 2222 });
});

test('our ssh options come first so the user cannot switch off BatchMode; user and port are separate args', () => {
  const { args, destination } = sshCommonArgs(parseSshTarget('u@h:2200'), { extraOptions: ['Compression=yes'] });
  assert.equal(destination, 'h');
  assert.deepEqual(args.slice(0, 2), ['-o', 'BatchMode=yes']);
  assert.ok(args.includes('ConnectTimeout=10'));
  assert.deepEqual(args.slice(args.indexOf('-p'), args.indexOf('-p') + 2), ['-p', '2200']);
  assert.deepEqual(args.slice(args.indexOf('-l'), args.indexOf('-l') + 2), ['-l', 'u']);
  assert.throws(() => sshCommonArgs(parseSshTarget('h:22'), { port: 23 }), invalid);
});

test('createHost: local, ssh:target, anything else refused', () => {
  assert.equal(createHost('local').kind, 'local');
  const h = createHost('ssh:deploy@example.com:2222');
  assert.equal(h.kind, 'ssh');
  assert.equal(h.description, 'ssh deploy@example.com:2222');
  assert.throws(() => createHost('ssh:-oProxyCommand=x'), invalid);
  assert.throws(() => createHost('remote'), invalid);
  assert.throws(() => createHost('ssh:'), invalid);
});
