import type { Finding, Verdict } from '../../profile';
import type { Facts } from '../facts';

/** Every finding id the analysis can produce (docs/diagnosis.md describes each). */
export const FINDING_IDS = [
  'kernel-network-stack',
  'io-uring-submit-overhead',
  'eventfd-wakeup-storm',
  'lock-contention',
  'context-switch-storm',
  'tcp-retransmits',
  'socket-buffer-overflow',
  'nic-drops',
  'io-wait',
  'user-code-hot',
  'not-saturated',
  'host-cpu-contention',
  'missing-kernel-symbols',
  'missing-debug-info',
  'strace-overhead',
  'short-sample',
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export interface RuleFinding extends Finding {
  id: FindingId;
}

/** A rule looks at the facts (and the verdict already decided) and returns a finding or null. */
export type Rule = (f: Facts, verdict: Verdict) => RuleFinding | RuleFinding[] | null;
