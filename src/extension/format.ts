/** Small display helpers. Pure (no `vscode` import). */

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const hint = (e as { hint?: unknown }).hint;
    return typeof hint === 'string' && hint !== '' ? `${e.message} — ${hint}` : e.message;
  }
  return String(e);
}
