import type { Benchmark } from '../lib/context';

export const lspBenchmark: Benchmark = {
  id: 'lsp',
  title: 'Language server',
  targets: [],
  run() {
    return Promise.reject(new Error('not written yet'));
  },
};
