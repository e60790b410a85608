/**
 * Real `perf script` inputs for the benchmarks: a recording of the demo server under wrk load, and text
 * files of a given size built by repeating that real text sample by sample.
 */
import { closeSync, openSync, readFileSync, statSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoServer, startLoad } from '../../test/helpers/demo-server';
import { background, run, sleep } from './exec';

export interface Recording {
  scriptFile: string;
  perfData: string;
  bytes: number;
  samples: number;
  /** How it was made, for the document. */
  how: string;
}

/** Splits `perf script` text into samples (blocks separated by blank lines); keeps each block's trailing blank line. */
export function splitSamples(text: string): string[] {
  const blocks = text.split(/\n\n+/).filter((b) => b.trim() !== '');
  return blocks.map((b) => `${b}\n\n`);
}

/**
 * Records the demo server (2 worker threads) under wrk load with `perf record -F 999 -g` for `seconds`,
 * then runs `perf script` once on it.
 */
export async function recordDemo(dir: string, seconds: number, log: (m: string) => void): Promise<Recording> {
  // On a busy machine the demo may get little CPU in a short window: retry once, twice as long.
  try {
    return await recordDemoOnce(dir, seconds, log);
  } catch (e) {
    if (!(e instanceof TooFewSamples)) throw e;
    log(`${e.message}; recording again for ${seconds * 2} s`);
    return recordDemoOnce(dir, seconds * 2, log);
  }
}

class TooFewSamples extends Error {}

async function recordDemoOnce(dir: string, seconds: number, log: (m: string) => void): Promise<Recording> {
  const server = await startDemoServer({ threads: 2 });
  const load = startLoad(server.port, { seconds: seconds + 4, connections: 50 });
  const perfData = join(dir, 'demo.perf.data');
  try {
    await sleep(1000); // let the load reach its steady state
    log(`perf record -F 999 -g -p ${server.pid} for ${seconds} s`);
    const rec = background([
      'perf',
      'record',
      '-F',
      '999',
      '-g',
      '-p',
      String(server.pid),
      '-o',
      perfData,
      '--',
      'sleep',
      String(seconds),
    ]);
    const end = await rec.exited;
    if (end.code !== 0) throw new Error(`perf record failed (${end.code ?? end.signal}): ${rec.output().slice(-400)}`);
  } finally {
    await load.stop();
    await server.stop();
  }
  const scriptFile = join(dir, 'demo.perf-script.txt');
  await run(['perf', 'script', '-i', perfData], { stdoutFile: scriptFile, timeoutMs: 300_000, scratch: dir });
  const text = readFileSync(scriptFile, 'utf8');
  const samples = splitSamples(text).length;
  if (samples < 100) throw new TooFewSamples(`the recording of the demo server holds only ${samples} samples`);
  return {
    scriptFile,
    perfData,
    bytes: statSync(scriptFile).size,
    samples,
    how:
      `\`perf record -F 999 -g -p PID -- sleep ${seconds}\` on the demo server (\`tcp_demo --threads 2\`) under ` +
      '`wrk -t2 -c50` on loopback, then `perf script -i perf.data` (default fields)',
  };
}

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * Writes `targetBytes` (rounded up to a whole sample) of `perf script` text to `dest` by repeating the
 * samples of `source` in order, cyclically. Timestamps are left as recorded (the collapsers ignore them).
 */
export function replicateToSize(source: string, dest: string, targetBytes: number): { bytes: number; samples: number } {
  const blocks = splitSamples(readFileSync(source, 'utf8')).map((b) => Buffer.from(b, 'utf8'));
  const whole = Buffer.concat(blocks);
  const fd = openSync(dest, 'w');
  let bytes = 0;
  let samples = 0;
  try {
    while (bytes + whole.length <= targetBytes) {
      writeSync(fd, whole);
      bytes += whole.length;
      samples += blocks.length;
    }
    for (const b of blocks) {
      if (bytes >= targetBytes) break;
      writeSync(fd, b);
      bytes += b.length;
      samples++;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, samples };
}

const TIME_RE = /^(\S.*?\s)(\d+)\.(\d{6}):/;

/**
 * Writes `factor` copies of every sample of `source`, copy k shifted by k/factor of the sampling period
 * (`periodNs`), each right after the original. Thread names and TIDs are kept, so each recorded thread gets
 * `factor` times its samples, spread evenly between its real ones, as if it had had a CPU of its own.
 */
export function replicateInterleaved(
  source: string,
  dest: string,
  factor: number,
  periodNs: number,
): { bytes: number; samples: number } {
  const blocks = splitSamples(readFileSync(source, 'utf8'));
  const fd = openSync(dest, 'w');
  let bytes = 0;
  let samples = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = () => {
    const buf = Buffer.from(pending.join(''), 'utf8');
    writeSync(fd, buf);
    bytes += buf.length;
    pending = [];
    pendingLength = 0;
  };
  try {
    for (const block of blocks) {
      const nl = block.indexOf('\n');
      const header = block.slice(0, nl);
      const rest = block.slice(nl);
      const m = TIME_RE.exec(header);
      for (let k = 0; k < factor; k++) {
        let h = header;
        if (m && k > 0) {
          const ns = BigInt(m[2]) * 1_000_000_000n + BigInt(m[3]) * 1000n + BigInt(Math.round((k * periodNs) / factor));
          const secs = ns / 1_000_000_000n;
          const micros = (ns % 1_000_000_000n) / 1000n;
          h = `${m[1]}${secs}.${micros.toString().padStart(6, '0')}:${header.slice(m[0].length)}`;
        }
        pending.push(h, rest);
        pendingLength += h.length + rest.length;
        samples++;
      }
      if (pendingLength > 4 * 1024 * 1024) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { bytes, samples };
}
