/**
 * Everything a session has gathered so far. It only grows; at any moment (done, cancelled, target gone,
 * a tool failed) it can be turned into a Profile, which is how a cut-short session still returns data.
 */
import type { Capabilities, DataQualityNote, Hotspot, SourceRecord, TimelineSample } from '../profile';
import type { Breakdown } from '../live/reading';
import type { ResolvedTarget } from '../target/resolve';
import type { PerfStatResult } from '../collect/perf-stat';
import type { PerfReport } from '../collect/perf-report';
import type { StackCollapser } from '../collect/stackcollapse';
import type { StraceSummary } from '../collect/strace';
import type { SsSummary } from '../collect/ss';
import type { NetSnapshot } from './net';

export interface Gathered {
  hostDescription: string;
  transport: 'local' | 'ssh';
  target: ResolvedTarget | null;
  kernel: string | null;
  cores: number | null;
  capabilities: Capabilities | null;
  notes: DataQualityNote[];
  timeline: TimelineSample[];
  /** Breakdown over the recording window (or over the whole live phase when nothing was recorded). */
  window: Breakdown | null;
  /** Seconds actually recorded (perf stat intervals, else the live window). */
  recordedSeconds: number | null;
  stat: PerfStatResult | null;
  statCommand: string;
  eventfdFds: number[];
  strace: StraceSummary | null;
  straceCommand: string;
  netBefore: NetSnapshot | null;
  netAfter: NetSnapshot | null;
  ss: SsSummary | null;
  report: PerfReport | null;
  reportCommand: string;
  collapser: StackCollapser | null;
  foldCommand: string;
  /** Hotspots computed from the sampled stacks (when no perf report was read). */
  hotspots: Hotspot[] | null;
  hotspotsCommand: string;
  /** Exact sample count from the fold on the target. */
  sampleCount: number | null;
  sources: SourceRecord[];
  partialReasons: string[];
}

export function emptyGathered(hostDescription: string, transport: 'local' | 'ssh'): Gathered {
  return {
    hostDescription,
    transport,
    target: null,
    kernel: null,
    cores: null,
    capabilities: null,
    notes: [],
    timeline: [],
    window: null,
    recordedSeconds: null,
    stat: null,
    statCommand: '',
    eventfdFds: [],
    strace: null,
    straceCommand: '',
    netBefore: null,
    netAfter: null,
    ss: null,
    report: null,
    reportCommand: '',
    collapser: null,
    foldCommand: '',
    hotspots: null,
    hotspotsCommand: '',
    sampleCount: null,
    sources: [],
    partialReasons: [],
  };
}

export function addNote(g: Gathered, note: DataQualityNote): void {
  if (!g.notes.some((n) => n.id === note.id)) g.notes.push(note);
}
