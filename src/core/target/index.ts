export {
  listProcesses,
  runProcessListing,
  parseProcessListing,
  type ProcessInfo,
  type ProcessListing,
} from './proc-list';
export {
  resolveTarget,
  resolveTerminalProcesses,
  pickTarget,
  describeCandidates,
  describeSpec,
  validateSpec,
  printable,
  type ResolvedTarget,
} from './resolve';
