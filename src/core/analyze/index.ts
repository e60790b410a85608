/**
 * analyze(profile): the verdict (what bounds the process) and the findings (what to look at, with the
 * numbers that prove it and the fixes that follow). Pure: reads the Profile, returns new objects.
 * Rules and thresholds: docs/diagnosis.md; numbers: ./thresholds.ts.
 */
import type { Finding, Profile, Verdict } from '../profile';
import { fixApplicability, getFix } from '../fixes';
import { deriveFacts, type Facts } from './facts';
import { decideVerdict } from './verdict';
import {
  contextSwitchStorm,
  eventfdWakeupStorm,
  ioUringSubmitOverhead,
  kernelNetworkStack,
  lockContention,
} from './findings/cpu-rules';
import { hostCpuContention, ioWait, notSaturated, userCodeHot } from './findings/host-rules';
import { nicDrops, socketBufferOverflow, tcpRetransmits } from './findings/network-rules';
import { missingDebugInfo, missingKernelSymbols, shortSample, straceOverhead } from './findings/data-quality-rules';
import type { Rule, RuleFinding } from './findings/types';

export { FINDING_IDS, type FindingId } from './findings/types';
export { THRESHOLDS } from './thresholds';
export { compare } from './compare';

const RULES: Rule[] = [
  eventfdWakeupStorm,
  ioUringSubmitOverhead,
  kernelNetworkStack,
  lockContention,
  contextSwitchStorm,
  tcpRetransmits,
  socketBufferOverflow,
  nicDrops,
  ioWait,
  userCodeHot,
  hostCpuContention,
  notSaturated,
  missingKernelSymbols,
  missingDebugInfo,
  straceOverhead,
  shortSample,
];

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

export function analyze(profile: Profile): { verdict: Verdict; findings: Finding[] } {
  const facts = deriveFacts(profile);
  const verdict = decideVerdict(facts);
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const out = rule(facts, verdict);
    for (const f of out === null ? [] : Array.isArray(out) ? out : [out]) findings.push(checkFixes(f, facts));
  }
  // Stable: severity first, then the rule order above.
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { verdict, findings };
}

/** Drops fixes whose precondition fails on the profiled host, and says so in the evidence. */
function checkFixes(finding: RuleFinding, f: Facts): Finding {
  const caps = f.profile.capabilities;
  const host = {
    kernel: f.kernel,
    kernelText: f.kernelText,
    cores: f.coresAvailable,
    uid: caps?.uid ?? null,
    sudo: caps?.sudo ?? null,
  };
  const fixes: string[] = [];
  const evidence = [...finding.evidence];
  for (const id of finding.fixes) {
    const fix = getFix(id);
    if (!fix) continue;
    const check = fixApplicability(fix, host);
    if (check.applicable !== false) fixes.push(id);
    if (check.hostSpecific) evidence.push(check.reason);
  }
  return { ...finding, fixes, evidence };
}
