import type { Benchmark } from '../lib/context';

export const scaleBenchmark: Benchmark = {
  id: 'scale',
  title: 'Scale: 16 threads × 30 s × 999 Hz',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
