/**
 * Past profiles, kept in the extension's global storage: one JSON file per profile plus an index.
 * Bounded by count (`perfLens.historySize`) and total size; the oldest go first. No `vscode` import
 * (it is given a folder), so it is unit-tested against a real temp folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILE_SCHEMA, type Profile } from '../core/profile';

export interface SessionEntry {
  id: string;
  /** e.g. `tcp_demo (4242)` */
  label: string;
  host: string;
  createdAt: string;
  verdictKind: string;
  verdictSummary: string;
  durationSeconds: number | null;
  partial: boolean;
  origin: Profile['origin'];
  bytes: number;
}

export interface StoreLimits {
  maxCount: number;
  maxTotalBytes: number;
}

export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;

const ID_RE = /^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$/;

export function profileLabel(profile: Profile): string {
  const name = profile.target.command ?? (profile.origin === 'analyze' ? 'saved output' : 'process');
  return profile.target.pid !== null ? `${name} (${profile.target.pid})` : name;
}

export class SessionStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private limits: StoreLimits,
  ) {}

  setLimits(limits: StoreLimits): void {
    this.limits = limits;
  }

  /** Serialise every operation: the index is read-modify-written. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private get indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private fileOf(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`invalid session id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  private async readIndex(): Promise<SessionEntry[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.indexPath, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (e): e is SessionEntry =>
          typeof e === 'object' &&
          e !== null &&
          typeof e.id === 'string' &&
          ID_RE.test(e.id) &&
          typeof e.label === 'string',
      );
    } catch {
      return []; // missing or damaged index: start over (profile files are re-added as they are saved)
    }
  }

  private async writeIndex(entries: SessionEntry[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.indexPath}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(entries, null, 1));
    await rename(tmp, this.indexPath);
  }

  /** Newest first. */
  list(): Promise<SessionEntry[]> {
    return this.exclusive(async () =>
      (await this.readIndex()).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)),
    );
  }

  /** Save a profile; returns its entry. Evicts the oldest beyond the limits (never the one just saved). */
  add(profile: Profile): Promise<SessionEntry> {
    return this.exclusive(async () => {
      const stamp = (profile.createdAt.replace(/[-:]/g, '').slice(0, 15) || '00000000T000000').padEnd(15, '0');
      const id = `${/^[0-9]{8}T[0-9]{6}$/.test(stamp) ? stamp : '00000000T000000'}-${randomBytes(4).toString('hex')}`;
      const text = JSON.stringify(profile);
      const entry: SessionEntry = {
        id,
        label: profileLabel(profile),
        host: profile.target.host,
        createdAt: profile.createdAt,
        verdictKind: profile.verdict.kind,
        verdictSummary: profile.verdict.summary,
        durationSeconds: profile.durationSeconds,
        partial: profile.partial,
        origin: profile.origin,
        bytes: Buffer.byteLength(text),
      };
      if (entry.bytes > this.limits.maxTotalBytes)
        throw new Error(`the profile is ${Math.round(entry.bytes / 1048576)} MiB, more than the history's cap`);
      await mkdir(this.dir, { recursive: true });
      await writeFile(this.fileOf(id), text);
      await this.enforce([entry, ...(await this.readIndex())], id);
      return entry;
    });
  }

  /** Apply the limits now (after the user lowered them). */
  prune(): Promise<void> {
    return this.exclusive(async () => this.enforce(await this.readIndex(), null));
  }

  /** Keep the newest entries within the limits (always `keepId`), delete the files of the rest. */
  private async enforce(entries: SessionEntry[], keepId: string | null): Promise<void> {
    const sorted = [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    const keep: SessionEntry[] = [];
    const evict: SessionEntry[] = [];
    let total = 0;
    const pinned = keepId === null ? undefined : sorted.find((e) => e.id === keepId);
    if (pinned) {
      keep.push(pinned);
      total += pinned.bytes;
    }
    for (const e of sorted) {
      if (e === pinned) continue;
      if (keep.length < this.limits.maxCount && total + e.bytes <= this.limits.maxTotalBytes) {
        keep.push(e);
        total += e.bytes;
      } else evict.push(e);
    }
    keep.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    await this.writeIndex(keep);
    for (const e of evict) await rm(this.fileOf(e.id), { force: true });
  }

  load(id: string): Promise<Profile> {
    return this.exclusive(async () => {
      const parsed = JSON.parse(await readFile(this.fileOf(id), 'utf8')) as Profile;
      if (parsed?.schema !== PROFILE_SCHEMA) throw new Error(`session ${id} is not a ${PROFILE_SCHEMA} document`);
      return parsed;
    });
  }

  remove(id: string): Promise<void> {
    return this.exclusive(async () => {
      const entries = await this.readIndex();
      await this.writeIndex(entries.filter((e) => e.id !== id));
      await rm(this.fileOf(id), { force: true });
    });
  }
}
