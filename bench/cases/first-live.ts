import type { Benchmark } from '../lib/context';

export const firstLiveBenchmark: Benchmark = {
  id: 'first-live',
  title: 'Time to first live breakdown',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
