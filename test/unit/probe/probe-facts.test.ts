import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { dataQualityNotes, parseProbeOutput, toCapabilities, type ProbeFacts } from '../../../src/core/probe/index';
import { distroFamily, unquoteOsRelease } from '../../../src/core/probe/facts';
import { installCommand } from '../../../src/core/host/tool-packages';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/probe/${name}.txt`, import.meta.url), 'utf8');
const ids = (f: ProbeFacts) => dataQualityNotes(f).map((n) => n.id);

test('root on this VM: every tool but bpftrace, tracepoints, no hardware PMU, container hint', () => {
  const facts = parseProbeOutput(fixture('debian12-root-vm'));
  assert.equal(facts.complete, true);
  assert.equal(facts.kernel, '6.18.44-fc-v669');
  assert.equal(facts.cpus, 2);
  assert.equal(facts.distroName, 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(facts.tools.perf.versionLine, 'perf version 6.1.192');
  assert.deepEqual(toCapabilities(facts), {
    perf: true,
    perfVersion: '6.1.192',
    pidstat: true,
    mpstat: true,
    strace: true,
    ss: true,
    nstat: true,
    ethtool: true,
    bpftrace: false,
    perfEventParanoid: 2,
    kptrRestrict: 0,
    ptraceScope: null,
    uid: 0,
    sudo: 'root',
    ioUringTracepoints: true,
    hardwarePmu: false,
    container: 'docker',
    distro: 'debian',
  });
  // root is not limited by perf_event_paranoid: only the PMU and the container are worth a note
  assert.deepEqual(ids(facts), ['no-hardware-pmu', 'container']);
  const pmu = dataQualityNotes(facts)[0];
  assert.match(pmu.message, /cpu-clock/);
  assert.match(pmu.message, /finish_task_switch/);
  assert.match(pmu.message, /_raw_spin_unlock_irqrestore/);
  assert.match(pmu.message, /virtual machine: kvm/);
});

test('an unprivileged user: paranoid 2 means no kernel frames, tracepoints need root — with the fix', () => {
  const facts = parseProbeOutput(fixture('debian12-nobody-vm'));
  assert.equal(facts.uid, 65534);
  assert.equal(facts.sudo, 'none');
  assert.equal(facts.tracefs, null);
  assert.equal(facts.hardwarePmu, false);
  const notes = dataQualityNotes(facts);
  const paranoid = notes.find((n) => n.id === 'perf-paranoid')!;
  assert.equal(paranoid.severity, 'warning');
  assert.equal(
    paranoid.message,
    'Kernel frames will be missing: perf_event_paranoid is 2 — run `sudo sysctl kernel.perf_event_paranoid=1` or allow passwordless sudo for perf.',
  );
  assert.equal(paranoid.fix, 'sudo sysctl kernel.perf_event_paranoid=1');
  assert.ok(notes.some((n) => n.id === 'tracepoints-need-root'));
  // tracefs is unreadable for this user, which is not the same as "not mounted"
  assert.ok(!notes.some((n) => n.id === 'tracefs-missing'));
});

test('no tools installed: each gap names its consequence and the apt command', () => {
  const facts = parseProbeOutput(fixture('debian12-root-no-tools'));
  const notes = dataQualityNotes(facts);
  const byId = new Map(notes.map((n) => [n.id, n]));
  assert.equal(byId.get('perf-missing')?.severity, 'critical');
  assert.equal(byId.get('perf-missing')?.fix, 'sudo apt-get install -y linux-perf');
  assert.equal(byId.get('sysstat-missing')?.fix, 'sudo apt-get install -y sysstat');
  assert.equal(byId.get('ss-missing')?.fix, 'sudo apt-get install -y iproute2');
  assert.equal(byId.get('nstat-missing')?.fix, 'sudo apt-get install -y iproute2');
  assert.equal(byId.get('strace-missing')?.fix, 'sudo apt-get install -y strace');
  assert.equal(byId.get('ethtool-missing')?.fix, 'sudo apt-get install -y ethtool');
  assert.equal(toCapabilities(facts).perf, false);
  assert.equal(facts.container, 'docker'); // only /.dockerenv: no systemd-detect-virt on that PATH
  assert.deepEqual(facts.containerEvidence, ['/.dockerenv']);
});

test('fix commands follow the distro family', () => {
  const facts = parseProbeOutput(fixture('debian12-root-no-tools'));
  const fixFor = (distro: ProbeFacts['distro'], distroId: string) =>
    dataQualityNotes({ ...facts, distro, distroId }).find((n) => n.id === 'perf-missing')!.fix;
  assert.equal(fixFor('rhel', 'fedora'), 'sudo dnf install -y perf');
  assert.equal(fixFor('suse', 'opensuse-leap'), 'sudo zypper install -y perf');
  assert.equal(fixFor('alpine', 'alpine'), 'sudo apk add perf');
  assert.equal(fixFor('debian', 'ubuntu'), 'sudo apt-get install -y linux-tools-common linux-tools-$(uname -r)');
  assert.equal(fixFor('unknown', 'gentoo'), null);
  assert.equal(installCommand('ss', 'rhel'), 'sudo dnf install -y iproute');
  assert.equal(distroFamily('rocky', ['rhel', 'centos', 'fedora']), 'rhel');
  assert.equal(distroFamily('pop', ['ubuntu', 'debian']), 'debian');
  assert.equal(distroFamily('weird', ['suse']), 'suse');
  assert.equal(distroFamily(null, []), 'unknown');
});

test('os-release quoting', () => {
  assert.equal(unquoteOsRelease('"Debian GNU/Linux 12 (bookworm)"'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(unquoteOsRelease("'x y'"), 'x y');
  assert.equal(unquoteOsRelease('"a \\"b\\""'), 'a "b"');
  assert.equal(unquoteOsRelease('debian'), 'debian');
  assert.equal(unquoteOsRelease(undefined), null);
});

test('perf that printed its version but was ended by the probe timeout works; a broken perf does not', () => {
  // Seen under CI-like load: a machine stalled for seconds, `timeout 5` ended perf after it printed its version.
  const slow = parseProbeOutput(fixture('debian12-root-vm').replace('status.perf=0', 'status.perf=124'));
  assert.equal(slow.tools.perf.works, true);
  assert.ok(!ids(slow).includes('perf-broken'));
  // A perf wrapper without the kernel's perf package (Ubuntu's prints this warning), exit 1.
  const broken = parseProbeOutput(
    fixture('debian12-root-vm')
      .replace('version.perf=perf version 6.1.192', 'version.perf=WARNING: perf not found for kernel 6.18.44')
      .replace('status.perf=0', 'status.perf=1'),
  );
  assert.equal(broken.tools.perf.works, false);
  assert.ok(ids(broken).includes('perf-broken'));
});

test('an output cut short is flagged, never read as "tool missing" silently', () => {
  const text = fixture('debian12-root-vm');
  const cut = text.slice(0, text.indexOf('path.perf'));
  const facts = parseProbeOutput(cut);
  assert.equal(facts.complete, false);
  assert.equal(dataQualityNotes(facts)[0].id, 'probe-incomplete');
});

test('random and mutated outputs never crash the parser or the rules', () => {
  const real = fixture('debian12-root-vm');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.nat(real.length), (junk, at) => {
      const facts = parseProbeOutput(real.slice(0, at) + junk + real.slice(at));
      toCapabilities(facts);
      for (const n of dataQualityNotes(facts)) assert.ok(n.message.length > 0);
    }),
    { numRuns: 300 },
  );
});
