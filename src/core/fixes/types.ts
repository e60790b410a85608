/**
 * A fix is data: what it is, why it works, when it applies, how to measure it, a C++ snippet, and the
 * id of the edit recipe the language server applies to the parsed source.
 */
export type FixId =
  | 'coalesce-eventfd-wakeups'
  | 'batch-submissions'
  | 'sqpoll'
  | 'send-zc'
  | 'tcp-nodelay'
  | 'tune-tcp-buffers'
  | 'kernel-bypass'
  | 'reduce-lock-contention';

export interface FixDefinition {
  id: FixId;
  title: string;
  /** The mechanism, in two or three sentences. */
  mechanism: string;
  /** When it applies and its preconditions (kernel version, privileges, costs). */
  appliesWhen: string;
  /** What it is expected to change. */
  expectedEffect: string;
  /** How to measure that it worked. */
  measure: string;
  /** C++ snippet written for this project's shape of code (an io_uring executor). */
  snippet: string;
  /** Edit recipe id implemented by the language server, or null for information-only fixes. */
  recipe: FixId | null;
  /** Information only (no code edit), e.g. kernel-bypass. */
  informational: boolean;
  /** Minimum kernel version as [major, minor], when there is one. */
  minKernel: [number, number] | null;
}
