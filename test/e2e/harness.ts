/**
 * A real VS Code for end-to-end tests: code-server (VS Code 1.100.3) with the packaged .vsix installed in
 * fresh user-data and extensions folders, driven in Debian's headless chromium through playwright-core.
 * Everything lives under one run folder (never $HOME) and everything started here is stopped by `close()`
 * (and, as a last resort, killed when the test process exits).
 *
 * Inputs (set by scripts/e2e.sh): E2E_CODE_SERVER (the launcher), E2E_VSIX, E2E_RUN_DIR, E2E_CHROMIUM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserServer,
  type FrameLocator,
  type Locator,
  type Page,
} from 'playwright-core';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests with "npm run test:e2e" (scripts/e2e.sh)`);
  return v;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
  // Children that outlived their leader (extension host, pty host) are in the same group.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // none left
  }
}

export interface VsCodeOptions {
  /** Name of this run's folder under E2E_RUN_DIR. */
  name: string;
  /** Folder opened as the workspace. */
  folder: string;
  /** User settings. */
  settings?: Record<string, unknown>;
}

export class VsCode {
  readonly dir: string;
  readonly artifacts: string;
  readonly userDataDir: string;
  page!: Page;
  private server: ChildProcess | null = null;
  private serverExited: Promise<void> = Promise.resolve();
  private serverOutput = '';
  private browserServer: BrowserServer | null = null;
  private browser: Browser | null = null;
  private context: BrowserContext | null = null;
  private shots = 0;
  port = 0;

  constructor(private readonly options: VsCodeOptions) {
    this.dir = join(env('E2E_RUN_DIR'), options.name);
    this.artifacts = join(env('E2E_RUN_DIR'), 'artifacts');
    this.userDataDir = join(this.dir, 'user-data');
    mkdirSync(this.artifacts, { recursive: true });
  }

  private childEnv(): NodeJS.ProcessEnv {
    const home = join(this.dir, 'home');
    const e: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      TMPDIR: join(this.dir, 'tmp'),
      // Keep the extension host's own Node flags out of the test runner's (tsx loader, --test).
      NODE_OPTIONS: '',
    };
    delete e.NODE_TEST_CONTEXT;
    delete e.VSCODE_IPC_HOOK_CLI;
    for (const d of [home, e.XDG_CONFIG_HOME!, e.XDG_DATA_HOME!, e.XDG_CACHE_HOME!, e.TMPDIR!])
      mkdirSync(d, { recursive: true });
    return e;
  }

  private baseArgs(): string[] {
    const config = join(this.dir, 'code-server.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');
    return ['--config', config, '--user-data-dir', this.userDataDir, '--extensions-dir', join(this.dir, 'extensions')];
  }

  async start(): Promise<void> {
    const codeServer = env('E2E_CODE_SERVER');
    const vsix = env('E2E_VSIX');
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    writeFileSync(
      join(this.userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.autoUpdate': false,
          'extensions.autoCheckUpdates': false,
          'update.mode': 'none',
          'security.workspace.trust.enabled': false,
          'chat.commandCenter.enabled': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'window.commandCenter': false,
          'editor.minimap.enabled': false,
          // VS Code in a browser saves edits after a second by default: the tests check that a quick fix is
          // an unsaved, undoable editor edit, and must never write the demo's sources.
          'files.autoSave': 'off',
          'workbench.editor.empty.hint': 'hidden',
          'git.enabled': false,
          'task.autoDetect': 'off',
          'npm.autoDetect': 'off',
          'typescript.tsc.autoDetect': 'off',
          ...this.options.settings,
        },
        null,
        2,
      ),
    );
    const childEnv = this.childEnv();
    const install = spawnSync(codeServer, [...this.baseArgs(), '--install-extension', vsix, '--force'], {
      env: childEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (install.status !== 0)
      throw new Error(`installing ${vsix} failed (${install.status}):\n${install.stdout}\n${install.stderr}`);

    this.port = await freePort();
    const args = [
      ...this.baseArgs(),
      '--bind-addr',
      `127.0.0.1:${this.port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      this.options.folder,
    ];
    const child = spawn(codeServer, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    this.server = child;
    this.serverExited = new Promise((r) => child.once('close', () => r()));
    child.once('close', () => live.delete(child));
    child.stdout!.on('data', (c: Buffer) => (this.serverOutput += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (this.serverOutput += c.toString('utf8')));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${this.serverOutput}`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (r.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`code-server did not answer /healthz within 30 s:\n${this.serverOutput}`);
      await sleep(200);
    }

    this.browserServer = await chromium.launchServer({
      executablePath: process.env.E2E_CHROMIUM || '/usr/lib/chromium/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
      env: { ...childEnv, HOME: join(this.dir, 'home') },
    });
    live.add(this.browserServer.process());
    this.browser = await chromium.connect(this.browserServer.wsEndpoint());
    this.context = await this.browser.newContext({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    this.page = await this.context.newPage();
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.options.folder)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** Close notifications that are not Perf Lens's own (e.g. the workspace's task-file warnings). */
  async dismissForeignToasts(): Promise<void> {
    const toasts = this.page.locator('.notifications-toasts .notification-list-item');
    for (let i = (await toasts.count()) - 1; i >= 0; i--) {
      const toast = toasts.nth(i);
      const text = await toast.innerText().catch(() => '');
      if (text.includes('Perf Lens')) continue;
      await toast.hover().catch(() => undefined);
      await toast
        .locator('.codicon-notifications-clear, .codicon-close')
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
    }
  }

  /** Screenshot into the artifacts folder; returns its path. `hover: false` parks the mouse first. */
  async screenshot(name: string, options: { keepHover?: boolean } = {}): Promise<string> {
    if (!options.keepHover) await this.page.mouse.move(720, 12);
    await this.dismissForeignToasts();
    const file = join(this.artifacts, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }

  /**
   * Copy an artifact screenshot into docs/screenshots/ under the given name — only when asked
   * (`npm run test:e2e -- --publish`), so ordinary test runs leave the committed images alone.
   */
  publish(file: string, name: string): void {
    if (process.env.E2E_PUBLISH !== '1') return;
    const dir = join(repoRoot, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, join(dir, name));
  }

  /**
   * Right-click `target` and wait for the context menu's `item`. VS Code's menus ignore a click that comes
   * right after they open, so `choose()` waits a moment, clicks, and clicks once more if the menu is still
   * up; it returns when the menu has closed.
   */
  async contextMenu(target: Locator, item: string): Promise<{ item: Locator; choose(): Promise<void> }> {
    await target.click({ button: 'right' });
    const entry = this.page.getByRole('menuitem', { name: item });
    await entry.waitFor({ timeout: 10_000 });
    return {
      item: entry,
      choose: async () => {
        await this.page.waitForTimeout(300);
        await entry.click();
        try {
          await entry.waitFor({ state: 'hidden', timeout: 2000 });
        } catch {
          await entry.click();
          await entry.waitFor({ state: 'hidden', timeout: 5000 });
        }
      },
    };
  }

  /** Drag the side bar's edge so it is `width` pixels wide (long process rows stay readable in screenshots). */
  async widenSideBar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) throw new Error('no side bar on screen');
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width - 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Run a command through the palette (F1) by its exact title (category included, e.g. "Perf Lens: Show Log"). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // The row holding the whole title (not the first row: "similar commands" may come first).
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().click();
  }

  /** Open a workspace file through Quick Open by (part of) its name. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().click();
    await this.page.locator('.tab.active', { hasText: name }).waitFor();
  }

  /** Put the active editor's cursor on a line (1-based) and scroll it into view, through Quick Open's ":". */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}`);
    // Enter before Quick Open has read the input would do nothing: click its "Go to line" row instead.
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: `Go to line ${line}` }).click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The webview panel's content frame. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** Text of the extension's "Perf Lens" log channel, from its file under the user-data folder. */
  extensionLog(): string {
    const logs = join(this.userDataDir, 'logs');
    const found: string[] = [];
    const walk = (dir: string) => {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/Perf Lens\.log$/.test(e)) found.push(p);
      }
    };
    walk(logs);
    return found.map((f) => `--- ${f}\n${readFileSync(f, 'utf8')}`).join('\n') || `(no "Perf Lens" log under ${logs})`;
  }

  /** Visible notification texts. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** What a failure report needs: a screenshot path, the relevant DOM text and the extension's log. */
  async diagnose(step: string, error: unknown): Promise<string> {
    let shot = '(no screenshot)';
    let dom = '';
    try {
      shot = await this.screenshot(`FAILED-${step}`, { keepHover: true });
      dom = (await this.page.locator('.monaco-workbench').innerText({ timeout: 5000 })).slice(0, 6000);
    } catch (e) {
      dom = `(cannot read the page: ${String(e)})`;
    }
    let webviewText = '';
    try {
      webviewText = (await this.webview().locator('body').innerText({ timeout: 2000 })).slice(0, 4000);
    } catch {
      webviewText = '(no webview content)';
    }
    return [
      `step "${step}" failed: ${error instanceof Error ? error.message : String(error)}`,
      `screenshot: ${shot}`,
      `--- workbench text\n${dom}`,
      `--- webview text\n${webviewText}`,
      `--- extension log\n${this.extensionLog().slice(-8000)}`,
      `--- code-server output (tail)\n${this.serverOutput.slice(-3000)}`,
    ].join('\n');
  }

  async close(): Promise<void> {
    try {
      await this.context?.close();
    } catch {
      // browser already gone
    }
    try {
      await this.browser?.close();
    } catch {
      // disconnected already
    }
    if (this.browserServer) {
      const proc = this.browserServer.process();
      try {
        await this.browserServer.close();
      } catch {
        await this.browserServer.kill();
      }
      live.delete(proc);
      this.browserServer = null;
    }
    if (this.server) await killGroup(this.server, this.serverExited);
    this.server = null;
  }
}

export function requireFile(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing`);
  return path;
}
