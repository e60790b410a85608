/** Measuring the webview bundle in headless Chromium (filled in when the webview bundle lands). */
import type { BenchContext } from './context';

export function renderFlameGraphFile(
  _ctx: BenchContext,
  _profileJson: string,
): Promise<{ ms: number; heapMiB: number | null }> {
  return Promise.reject(new Error('the webview bundle is not measurable yet'));
}
