/**
 * Everything a session has gathered so far. It only grows; at any moment (done, cancelled, target gone,
 * a tool failed) it can be turned into a Profile, which is how a cut-short session still returns data.
 */
import type {
  Capabilities,
  DataQualityNote,
  FoldedStack,
  Hotspot,
  NetworkCounters,
  SourceRecord,
  TimelineSample,
} from '../profile';
import type { Breakdown } from '../live/reading';
import type { ResolvedTarget } from '../target/resolve';
import type { StatTotals } from './stat-stream';

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
  stat: StatTotals | null;
  statEvents: string[];
  eventfdFds: number[];
  strace: string | null;
  network: NetworkCounters | null;
  hotspots: Hotspot[];
  folded: FoldedStack[];
  foldedTruncated: boolean;
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
    statEvents: [],
    eventfdFds: [],
    strace: null,
    network: null,
    hotspots: [],
    folded: [],
    foldedTruncated: false,
    sampleCount: null,
    sources: [],
    partialReasons: [],
  };
}

export function addNote(g: Gathered, note: DataQualityNote): void {
  if (!g.notes.some((n) => n.id === note.id)) g.notes.push(note);
}
