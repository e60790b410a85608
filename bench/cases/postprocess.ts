import type { Benchmark } from '../lib/context';

export const postprocessBenchmark: Benchmark = {
  id: 'postprocess',
  title: 'Post-processing after recording',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
