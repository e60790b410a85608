/**
 * The one place that reads Perf Lens settings from VS Code. Validation lives in `config-schema.ts`.
 */
import * as vscode from 'vscode';
import { validateConfig, type ConfigProblem, type PerfLensConfig, type RawConfig } from './config-schema';

const KEYS: ReadonlyArray<keyof PerfLensConfig> = [
  'duration',
  'frequency',
  'callGraph',
  'recordScope',
  'strace',
  'sudo',
  'toolPaths',
  'sshTarget',
  'historySize',
  'perfDataMaxMiB',
];

export function readConfig(): { config: PerfLensConfig; problems: ConfigProblem[] } {
  const section = vscode.workspace.getConfiguration('perfLens');
  const raw: RawConfig = {};
  for (const key of KEYS) raw[key] = section.inspect(key) ?? undefined;
  return validateConfig(raw, vscode.workspace.isTrusted);
}

/** Fires when a Perf Lens setting (or workspace trust) changes. */
export function onDidChangeConfig(listener: () => void): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('perfLens')) listener();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(listener),
  );
}

/** Reads the settings, tells the user once about each invalid value, and returns what is usable. */
export class ConfigService implements vscode.Disposable {
  private current: PerfLensConfig;
  private reported = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<PerfLensConfig>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly onProblem: (message: string) => void) {
    this.current = this.load();
    this.subscription = onDidChangeConfig(() => {
      this.current = this.load();
      this.emitter.fire(this.current);
    });
  }

  get(): PerfLensConfig {
    return this.current;
  }

  private load(): PerfLensConfig {
    const { config, problems } = readConfig();
    for (const p of problems) {
      if (this.reported.has(p.message)) continue;
      this.reported.add(p.message);
      this.onProblem(`${p.message}; using the default instead.`);
    }
    return config;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
