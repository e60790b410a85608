/**
 * What `perf-lens profile` shows while a session runs: on a terminal, one status line redrawn in place
 * (a bar, the phase's message and the live CPU figure); otherwise plain lines (one per message and one per
 * live sample), which is what logs and CI capture.
 */
import type { SessionEvent } from '../../core/session/types';
import { printable } from '../../core/target/resolve';

const BAR = 24;

export interface ProgressWriter {
  event(e: SessionEvent): void;
  /** A line of its own (above the status line on a terminal). */
  line(text: string): void;
  /** Clears the status line (before the final report). */
  close(): void;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`);

export function liveSummary(e: Extract<SessionEvent, { type: 'live' }>): string {
  const p = e.sample.process;
  const s = e.sample.system;
  const proc = p
    ? `process ${pct(p.cpu)} (usr ${pct(p.usr)}, sys ${pct(p.sys)}, run-queue wait ${pct(p.wait)})`
    : 'process –';
  const sys = s
    ? `host usr ${pct(s.usr)} sys ${pct(s.sys)} softirq ${pct(s.softirq)} iowait ${pct(s.iowait)} idle ${pct(s.idle)}`
    : '';
  const busiest = e.threads[0];
  const thread = busiest ? `busiest thread ${printable(busiest.name, 20)} ${pct(busiest.cpu)}` : '';
  return [proc, thread, sys].filter(Boolean).join(' · ');
}

export function createProgress(
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  quiet: boolean,
): ProgressWriter {
  if (quiet) return { event: () => undefined, line: () => undefined, close: () => undefined };
  if (out.isTTY) return ttyProgress(out);
  let lastMessage = '';
  return {
    event(e) {
      if (e.type === 'progress') {
        if (e.message !== lastMessage) out.write(`[${e.phase}] ${e.message}\n`);
        lastMessage = e.message;
      } else if (e.type === 'live') {
        out.write(`  t=${e.sample.t.toFixed(1)}s ${liveSummary(e)}\n`);
      } else if (e.type === 'target') {
        out.write(`target: PID ${e.pid} (${printable(e.command, 40)}), ${e.threads} threads, on ${e.host}\n`);
      } else if (e.type === 'warning') {
        out.write(`warning: ${e.message}\n`);
      } else if (e.type === 'notes') {
        for (const n of e.notes) if (n.severity !== 'info') out.write(`note: ${n.message}\n`);
      }
    },
    line: (text) => out.write(text + '\n'),
    close: () => undefined,
  };
}

function ttyProgress(out: NodeJS.WritableStream & { columns?: number }): ProgressWriter {
  let fraction = 0;
  let message = '';
  let live = '';
  let drawn = false;
  const draw = () => {
    const width = Math.max(40, (out.columns ?? 100) - 1);
    const filled = Math.round(fraction * BAR);
    const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
    // The live CPU figure before the message, so a narrow terminal cuts the message, not the number.
    let text = `${bar} ${live ? `${live} │ ` : ''}${message}`;
    if ([...text].length > width) text = [...text].slice(0, width - 1).join('') + '…';
    out.write(`\r\x1b[2K${text}`);
    drawn = true;
  };
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    event(e) {
      if (e.type === 'progress') {
        fraction = e.fraction;
        message = e.message;
        draw();
      } else if (e.type === 'live') {
        const p = e.sample.process;
        live = p ? `cpu ${pct(p.cpu)} (usr ${pct(p.usr)} sys ${pct(p.sys)})` : '';
        draw();
      } else if (e.type === 'warning') {
        clear();
        out.write(`warning: ${e.message}\n`);
        draw();
      } else if (e.type === 'target') {
        clear();
        out.write(`target: PID ${e.pid} (${printable(e.command, 40)}), ${e.threads} threads, on ${e.host}\n`);
        draw();
      } else if (e.type === 'notes') {
        clear();
        for (const n of e.notes) if (n.severity !== 'info') out.write(`note: ${n.message}\n`);
        draw();
      }
    },
    line(text) {
      clear();
      out.write(text + '\n');
      draw();
    },
    close: clear,
  };
}
