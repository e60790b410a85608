/**
 * Triggers for tests that act "N seconds into the recording".
 *
 * The session prints "Recording N/M s" from a 1 s interval timer. A count can be skipped or printed twice
 * (a timer firing a hair early, a busy event loop firing late), so a test must never wait for one exact
 * count: it acts on the FIRST record-phase progress whose count is N or more, and only once.
 *
 * API
 *   recordingSecond(e) → number | null        the N of a record-phase "Recording N/…" progress event
 *   recordingAtLeast(e, n) → boolean            such an event with N ≥ n
 *   cliRecordingSecond(text) → number | null    the highest N among the CLI's "[record] Recording N/M s"
 *                                               lines in `text` (its stderr so far)
 */
import type { SessionEvent } from '../../src/core/session/types';

const RECORDING = /^Recording (\d+)\//;

export function recordingSecond(e: SessionEvent): number | null {
  if (e.type !== 'progress' || e.phase !== 'record') return null;
  const m = RECORDING.exec(e.message);
  return m ? Number(m[1]) : null;
}

export function recordingAtLeast(e: SessionEvent, n: number): boolean {
  const s = recordingSecond(e);
  return s !== null && s >= n;
}

export function cliRecordingSecond(text: string): number | null {
  let max: number | null = null;
  for (const m of text.matchAll(/^\[record\] Recording (\d+)\/\d+ s/gm)) max = Math.max(max ?? 0, Number(m[1]));
  return max;
}
