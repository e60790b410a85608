import type { Benchmark } from '../lib/context';

export const extensionBenchmark: Benchmark = {
  id: 'extension',
  title: 'Extension',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
