import type { Benchmark } from '../lib/context';

export const webviewBenchmark: Benchmark = {
  id: 'webview',
  title: 'Webview',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
