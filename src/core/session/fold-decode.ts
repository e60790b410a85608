/**
 * Decodes what FOLD_AWK prints on the target (frame and header dictionaries, unique stacks with counts)
 * as it streams in, and rebuilds a compact `perf script` text with one event per unique stack whose
 * period is its sample count. Feeding that text to the collapser (stackcollapse-perf semantics: the
 * period is the weight) gives exactly the folded stacks of the full `perf script` output.
 */
import { ParseError } from '../errors';

export interface FoldDecodeResult {
  /** Samples seen by the folder on the target. */
  samples: number;
  /** Event headers the folder could not read (0 unless perf changed its format). */
  unparsed: number;
  uniqueStacks: number;
  complete: boolean;
}

const MAX_FRAME_CHARS = 4096;

export class FoldDecoder {
  private readonly frames = new Map<number, string>();
  private readonly headers = new Map<number, { comm: string; event: string }>();
  private readonly stacks: Array<{ count: number; header: number; frames: number[] }> = [];
  private samples = 0;
  private unparsed = 0;
  private complete = false;
  private lineNumber = 0;

  constructor(private readonly maxStacks = 500_000) {}

  /** Feeds one output line; lines that are not the folder's are ignored (other sections of the script). */
  push(line: string): void {
    this.lineNumber++;
    if (line.startsWith('@f ')) {
      const sp = line.indexOf(' ', 3);
      const id = Number(line.slice(3, sp));
      if (sp < 0 || !Number.isInteger(id)) throw this.error(line, '@f ID FRAME');
      this.frames.set(id, line.slice(sp + 1, sp + 1 + MAX_FRAME_CHARS));
    } else if (line.startsWith('@h ')) {
      const sp = line.indexOf(' ', 3);
      const id = Number(line.slice(3, sp));
      const rest = line.slice(sp + 1);
      const tab = rest.indexOf('\t');
      if (sp < 0 || !Number.isInteger(id) || tab < 0) throw this.error(line, '@h ID COMM<TAB>EVENT');
      this.headers.set(id, { comm: rest.slice(0, tab), event: rest.slice(tab + 1).trim() });
    } else if (line.startsWith('@s ')) {
      const nums = line.slice(3).trim().split(' ').map(Number);
      if (nums.length < 2 || nums.some((n) => !Number.isInteger(n) || n < 0))
        throw this.error(line, '@s COUNT HEADER FRAME…');
      if (this.stacks.length < this.maxStacks)
        this.stacks.push({ count: nums[0], header: nums[1], frames: nums.slice(2) });
    } else if (line.startsWith('@total ')) {
      const [samples, unparsed] = line.slice(7).split(' ').map(Number);
      this.samples = samples || 0;
      this.unparsed = unparsed || 0;
      this.complete = true;
    }
  }

  result(): FoldDecodeResult {
    return {
      samples: this.samples,
      unparsed: this.unparsed,
      uniqueStacks: this.stacks.length,
      complete: this.complete,
    };
  }

  /**
   * `perf script`-shaped text: per unique stack a header `COMM 0/0 0.000000: COUNT EVENT` and its frames
   * (`\t0 symbol (dso)`, leaf first), then a blank line.
   */
  *scriptText(): Generator<string> {
    for (const s of this.stacks) {
      const h = this.headers.get(s.header);
      if (!h) throw this.error(`@s ${s.count} ${s.header}`, 'a header defined before its stack');
      const lines = [`${h.comm} 0/0 0.000000: ${s.count} ${h.event}`];
      for (const id of s.frames) {
        const f = this.frames.get(id);
        if (f === undefined) throw this.error(`frame ${id}`, 'a frame defined before its stack');
        lines.push(`\t0 ${f}`);
      }
      lines.push('');
      yield lines.join('\n') + '\n';
    }
  }

  /**
   * Every unique stack with its sample count, the command name and its frames (`symbol (dso)` as perf
   * printed them, leaf first). Frames or headers that were never defined are skipped.
   */
  *stacksWithFrames(): Generator<{ count: number; comm: string; frames: string[] }> {
    for (const s of this.stacks) {
      const h = this.headers.get(s.header);
      if (!h) continue;
      const frames: string[] = [];
      for (const id of s.frames) {
        const f = this.frames.get(id);
        if (f !== undefined) frames.push(f);
      }
      yield { count: s.count, comm: h.comm, frames };
    }
  }

  private error(line: string, expected: string): ParseError {
    return new ParseError('perf script fold (on the target)', this.lineNumber, line, expected);
  }
}
