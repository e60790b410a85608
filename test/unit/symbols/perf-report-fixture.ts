/**
 * Reads the captured `perf report --stdio -g none` fixtures of test/fixtures/cpp/** into Hotspots.
 * A deliberately small reader for these two column layouts only (the real collector lives in
 * src/core/collect); it throws on any line it does not understand so a re-capture cannot silently
 * drop rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hotspot } from '../../../src/core/profile';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'cpp');

function rows(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function hotspot(symbol: string, dso: string, kernel: boolean, self: number, children: number | null): Hotspot {
  return { symbol, dso, kernel, self, children, file: null, line: null, callers: [], threads: [] };
}

/** `perf report --children --sort dso,symbol -g none`: Children, Self, Shared Object, [.] Symbol. */
export function readChildrenReport(path: string): Hotspot[] {
  return rows(readFileSync(path, 'utf8')).map((line) => {
    const m = /^\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*?)\s+-\s+-\s*$/.exec(line);
    if (!m) throw new Error(`unexpected perf report line: ${JSON.stringify(line)}`);
    return hotspot(m[5], m[3], m[4] === 'k', Number(m[2]), Number(m[1]));
  });
}

/** `perf report --no-children --sort symbol,srcline --full-source-path -g none`: Overhead, [.] Symbol, file:line. */
export function readSrclineReport(path: string): Hotspot[] {
  return rows(readFileSync(path, 'utf8')).map((line) => {
    const m = /^\s+([\d.]+)%\s+\[(.)\]\s+(.*?)\s{2,}(\S+)\s+-\s+-\s*$/.exec(line);
    if (!m) throw new Error(`unexpected perf report line: ${JSON.stringify(line)}`);
    const h = hotspot(m[3], '', m[2] === 'k', Number(m[1]), null);
    // `file:line` from debug info; `symbol+0x..` or `file:0` when perf had none.
    const src = /^(.*):(\d+)$/.exec(m[4]);
    if (src && Number(src[2]) > 0) {
      h.file = src[1];
      h.line = Number(src[2]);
    }
    return h;
  });
}
