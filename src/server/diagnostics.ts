/**
 * Diagnostics on the exact lines a finding is about: the eventfd write, the per-operation submit, the
 * accept without TCP_NODELAY, the ring set-up without SQPOLL when the process is syscall-bound.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../core/profile';
import type { ProfileNotificationParams } from '../core/protocol/lsp';
import { acceptPreps, acceptSites, eventfdWrites, perOperationSubmits, ringSetups, setsNodelay } from './detect';
import { fixShortTitle } from './fix-info';
import { severityRank } from '../core/symbols/findings';
import { nodeRange } from './syntax';
import type { SyntaxNode } from '../core/symbols/cpp-parser';
import type { SourceFile, Workspace } from './workspace';

export const DIAGNOSTIC_SOURCE = 'Perf Lens';

export interface DiagnosticData {
  findingId: string;
  fixIds: string[];
}

export function toSeverity(s: string): DiagnosticSeverity {
  if (s === 'critical') return DiagnosticSeverity.Error;
  if (s === 'warning') return DiagnosticSeverity.Warning;
  return DiagnosticSeverity.Information;
}

/** The most severe finding that has this id or recommends this fix. */
function findingFor(profile: ProfileNotificationParams, ids: string[], fixId: string): Finding | null {
  const matches = profile.findings.filter((f) => ids.includes(f.id) || f.fixes.includes(fixId));
  matches.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return matches[0] ?? null;
}

function diagnostic(
  node: SyntaxNode,
  finding: Finding,
  fixId: string,
  what: string,
  severity?: DiagnosticSeverity,
): Diagnostic {
  const evidence = finding.evidence[0] ? ` ${finding.evidence[0]}` : '';
  const data: DiagnosticData = {
    findingId: finding.id,
    fixIds: [fixId, ...finding.fixes.filter((f) => f !== fixId)],
  };
  return {
    range: nodeRange(node),
    severity: severity ?? toSeverity(finding.severity),
    source: DIAGNOSTIC_SOURCE,
    code: finding.id,
    message: `${what} — ${finding.title}.${evidence} Quick fix: ${fixShortTitle(fixId)}.`,
    data,
  };
}

interface Rules {
  eventfd: Finding | null;
  submit: Finding | null;
  nodelay: Finding | null;
  sqpoll: Finding | null;
  /** Some file in the workspace already sets TCP_NODELAY. */
  nodelayPresent: boolean;
  /** Some file receives an accepted descriptor in a variable (then only those places are marked). */
  acceptSitesExist: boolean;
}

async function rulesFor(profile: ProfileNotificationParams, workspace: Workspace): Promise<Rules> {
  const submit = findingFor(profile, ['io-uring-submit-overhead'], 'batch-submissions');
  const sqpollFinding = profile.findings.find((f) => f.fixes.includes('sqpoll')) ?? null;
  const syscallBound = profile.verdictKind === 'syscall-bound';
  const nodelay = profile.findings.find((f) => f.fixes.includes('tcp-nodelay')) ?? null;
  let nodelayPresent = false;
  let acceptSitesExist = false;
  if (nodelay) {
    for (const path of await workspace.filesWith('setsockopt', 'TCP_NODELAY')) {
      const src = await workspace.source(path);
      if (src && setsNodelay(src)) nodelayPresent = true;
    }
    for (const path of await workspace.filesWith('accept')) {
      const src = await workspace.source(path);
      if (src && acceptSites(src).length > 0) acceptSitesExist = true;
    }
  }
  return {
    eventfd: findingFor(profile, ['eventfd-wakeup-storm'], 'coalesce-eventfd-wakeups'),
    // "batching well" is an info finding: nothing to mark then.
    submit: submit && submit.severity !== 'info' ? submit : null,
    nodelay,
    // SQPOLL trades a polling core for syscalls: only suggested when syscalls are what bounds the process.
    sqpoll: syscallBound ? (sqpollFinding ?? submit) : null,
    nodelayPresent,
    acceptSitesExist,
  };
}

function fileDiagnostics(src: SourceFile, rules: Rules): Diagnostic[] {
  const out: Diagnostic[] = [];
  const text = src.text;
  if (rules.eventfd && text.includes('write')) {
    for (const call of eventfdWrites(src)) {
      out.push(diagnostic(call, rules.eventfd, 'coalesce-eventfd-wakeups', 'eventfd write on every wake-up'));
    }
  }
  if (rules.submit && text.includes('io_uring_submit')) {
    for (const call of perOperationSubmits(src)) {
      out.push(
        diagnostic(
          call,
          rules.submit,
          'batch-submissions',
          'io_uring_submit for every single operation (one io_uring_enter each)',
        ),
      );
    }
  }
  if (rules.nodelay && !rules.nodelayPresent && text.includes('accept')) {
    const sites = acceptSites(src);
    const nodes = rules.acceptSitesExist ? sites.map((s) => s.call) : acceptPreps(src);
    for (const call of nodes) {
      out.push(diagnostic(call, rules.nodelay, 'tcp-nodelay', 'accepted connection keeps Nagle on (no TCP_NODELAY)'));
    }
  }
  if (rules.sqpoll && (text.includes('io_uring_queue_init') || text.includes('io_uring_setup'))) {
    for (const setup of ringSetups(src)) {
      if (setup.hasSqpoll) continue;
      const what = 'ring set up without SQPOLL while the process is syscall-bound';
      out.push(diagnostic(setup.call, rules.sqpoll, 'sqpoll', what));
    }
  }
  return out;
}

/** Diagnostics for every workspace file that has any (files without any are not in the map). */
export async function computeDiagnostics(
  workspace: Workspace,
  profile: ProfileNotificationParams,
): Promise<Map<string, { uri: string; diagnostics: Diagnostic[] }>> {
  const out = new Map<string, { uri: string; diagnostics: Diagnostic[] }>();
  const rules = await rulesFor(profile, workspace);
  if (!rules.eventfd && !rules.submit && !rules.nodelay && !rules.sqpoll) return out;
  const paths = new Set<string>();
  if (rules.eventfd) for (const p of await workspace.filesWith('eventfd-ish')) paths.add(p);
  if (rules.submit) for (const p of await workspace.filesWith('io_uring_submit')) paths.add(p);
  if (rules.nodelay) for (const p of await workspace.filesWith('accept')) paths.add(p);
  if (rules.sqpoll) {
    for (const p of await workspace.filesWith('io_uring_queue_init')) paths.add(p);
    for (const p of await workspace.filesWith('io_uring_setup')) paths.add(p);
  }
  for (const path of [...paths].sort()) {
    const src = await workspace.source(path);
    if (!src) continue;
    const diagnostics = fileDiagnostics(src, rules);
    if (diagnostics.length > 0) out.set(path, { uri: src.uri, diagnostics });
  }
  return out;
}
