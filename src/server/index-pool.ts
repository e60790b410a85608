/**
 * Parses files for the workspace index on worker threads: the editor's requests never wait behind a
 * parse, and on a multi-core machine the initial index is spread over the cores.
 *
 * The worker runs the same bundle as the server (dist/server.js re-entered with `workerData.perfLensIndexWorker`),
 * so no extra entry point is needed. A worker that fails is replaced by parsing on the main thread.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { FunctionDefinition } from '../core/symbols/cpp-definitions';
import { createCppParser } from '../core/symbols/cpp-parser';
import { buildMacroTable, type MacroDefinition, type MacroTable } from '../core/symbols/macros';
import { definitionsOf } from '../core/symbols/workspace-scan';

interface JobMessage {
  id: number;
  text: string;
  /** Sent when the workspace's macro table changed since this worker's last job. */
  macros?: MacroDefinition[];
}

interface ResultMessage {
  id: number;
  defs?: FunctionDefinition[];
  error?: string;
}

interface WorkerData {
  perfLensIndexWorker: true;
  wasmDir?: string;
}

/** True in a thread started by IndexPool (the bundle's entry then runs `runIndexWorker` instead of the server). */
export function isIndexWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerData> | null)?.perfLensIndexWorker === true;
}

export function runIndexWorker(): void {
  const data = workerData as WorkerData;
  const parserReady = createCppParser(data.wasmDir);
  let macros: MacroTable = buildMacroTable([]);
  parentPort!.on('message', (job: JobMessage) => {
    void parserReady.then(
      (parser) => {
        if (job.macros) macros = buildMacroTable(job.macros);
        let reply: ResultMessage;
        try {
          reply = { id: job.id, defs: definitionsOf(parser, job.text, macros) };
        } catch (e) {
          reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
        }
        parentPort!.postMessage(reply);
      },
      (e: unknown) =>
        parentPort!.postMessage({ id: job.id, error: `parser: ${e instanceof Error ? e.message : String(e)}` }),
    );
  });
}

interface Slot {
  worker: Worker;
  busy: number;
  macroVersion: number;
  broken: boolean;
}

export class IndexPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (d: FunctionDefinition[]) => void; reject: (e: Error) => void; slot: Slot }
  >();
  private nextId = 1;
  private macroDefs: MacroDefinition[] = [];
  private macroVersion = 0;

  /** Workers for a machine: one per core up to 4, at least 1. */
  static defaultSize(): number {
    return Math.max(1, Math.min(4, availableParallelism()));
  }

  constructor(size: number, entry: string, wasmDir: string | undefined, execArgv?: string[]) {
    for (let i = 0; i < size; i++) {
      const data: WorkerData = { perfLensIndexWorker: true, wasmDir };
      const worker = new Worker(entry, { workerData: data, ...(execArgv ? { execArgv } : {}) });
      const slot: Slot = { worker, busy: 0, macroVersion: -1, broken: false };
      worker.on('message', (m: ResultMessage) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.slot.busy--;
        if (m.defs) p.resolve(m.defs);
        else p.reject(new Error(m.error ?? 'index worker failed'));
      });
      const fail = (why: string) => {
        slot.broken = true;
        for (const [id, p] of this.pending) {
          if (p.slot !== slot) continue;
          this.pending.delete(id);
          p.reject(new Error(why));
        }
      };
      worker.on('error', (e) => fail(`index worker: ${e.message}`));
      worker.on('exit', (code) => fail(`index worker exited (${code})`));
      worker.unref();
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.filter((s) => !s.broken).length;
  }

  setMacros(defs: MacroDefinition[]): void {
    this.macroDefs = defs;
    this.macroVersion++;
  }

  /** Parses one file's text on the least busy worker; rejects when no worker is left. */
  parse(text: string): Promise<FunctionDefinition[]> {
    const live = this.slots.filter((s) => !s.broken);
    if (live.length === 0) return Promise.reject(new Error('no index worker left'));
    const slot = live.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    const job: JobMessage = { id, text };
    if (slot.macroVersion !== this.macroVersion) {
      job.macros = this.macroDefs;
      slot.macroVersion = this.macroVersion;
    }
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage(job);
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => 0)));
  }
}
