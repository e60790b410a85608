/**
 * The client of the Perf Lens language server (`dist/server.js`, over IPC): it sends each new profile's
 * hotspots and findings, and asks where a fix applies. CodeLens, diagnostics, hovers and code actions
 * then come through standard LSP for C and C++ files.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Profile } from '../core/profile';
import {
  ClearProfileNotification,
  FindFixLocationRequest,
  ProfileNotification,
  type FindFixParams,
  type FixLocation,
  type ProfileNotificationParams,
} from '../core/protocol/lsp';
import type { Log } from './log';
import { profileLabel } from './session-store';

export class PerfLensLanguageClient implements vscode.Disposable {
  private client: LanguageClient | null = null;
  private starting: Promise<LanguageClient | null> | null = null;
  private lastProfile: ProfileNotificationParams | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  /** Starts the server on first use. Resolves to null when the server bundle is missing or fails. */
  private ensure(): Promise<LanguageClient | null> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<LanguageClient | null> {
    const module = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'server.js').fsPath;
    if (!existsSync(module)) {
      this.log.warn(`language server: ${module} is missing; no CodeLens or quick fixes`);
      return null;
    }
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'cpp' },
        { scheme: 'file', language: 'c' },
        { scheme: 'file', language: 'cuda-cpp' },
      ],
      outputChannel: this.log.channel,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{c,cc,cpp,cxx,h,hh,hpp,hxx,ipp,inl}') },
      initializationOptions: { extensionPath: this.context.extensionUri.fsPath },
    };
    const client = new LanguageClient('perfLens', 'Perf Lens Language Server', serverOptions, clientOptions);
    try {
      await client.start();
      this.client = client;
      this.log.info('language server: started');
      // A restarted server (after a crash) has lost the profile: send it again.
      client.onDidChangeState((e) => {
        if (e.newState === 2 /* Running */ && this.lastProfile)
          void client.sendNotification(ProfileNotification, this.lastProfile);
      });
      return client;
    } catch (e) {
      this.log.error(`language server: failed to start: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  static paramsFor(profile: Profile, profileId: string): ProfileNotificationParams {
    return {
      profileId,
      label: profileLabel(profile),
      hotspots: profile.hotspots,
      findings: profile.findings,
      verdictKind: profile.verdict.kind,
    };
  }

  async sendProfile(profile: Profile, profileId: string): Promise<void> {
    const params = PerfLensLanguageClient.paramsFor(profile, profileId);
    this.lastProfile = params;
    const client = await this.ensure();
    if (client) await client.sendNotification(ProfileNotification, params);
  }

  async clearProfile(): Promise<void> {
    this.lastProfile = null;
    if (this.client) await this.client.sendNotification(ClearProfileNotification, {});
  }

  async findFixLocation(params: FindFixParams): Promise<FixLocation | null> {
    const client = await this.ensure();
    if (!client) return null;
    return (await client.sendRequest<FixLocation | null>(FindFixLocationRequest, params)) ?? null;
  }

  dispose(): void {
    const client = this.client;
    this.client = null;
    if (client) void client.stop();
  }
}
