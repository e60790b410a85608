/** What every benchmark gets from the runner, and what it fills in. */
import type { Section } from './report';

export interface BenchContext {
  /** Fewer runs and smaller inputs, for development. */
  quick: boolean;
  repoRoot: string;
  /** A private temp folder for this benchmark; the runner removes it afterwards. */
  tmp: string;
  /** A local checkout of brendangregg/FlameGraph (env FLAMEGRAPH_DIR), when given. */
  flamegraphDir: string | null;
  log(message: string): void;
}

export interface Benchmark {
  id: string;
  title: string;
  /** Targets checked, as they appear in rows (listed as "not measured" if the benchmark fails). */
  targets: string[];
  /** Fills `section` as it goes, so that a failure half-way keeps what was measured. */
  run(ctx: BenchContext, section: Section): Promise<void>;
}
