import type { CommandLogEntry } from './types';

/** The listeners of one host's command log. A listener that throws never breaks a run. */
export class CommandLog {
  private readonly listeners = new Set<(entry: CommandLogEntry) => void>();

  subscribe(listener: (entry: CommandLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(entry: CommandLogEntry): void {
    for (const listener of this.listeners) {
      try {
        listener({ ...entry, argv: [...entry.argv] });
      } catch {
        // A broken log sink must not turn a finished command into a failure.
      }
    }
  }
}
