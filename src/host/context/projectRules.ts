// Project rules, host side: finds the rule files in each workspace folder (on first use, never at activation), reads
// them, watches them so a change applies to the next question without a reload, reports broken frontmatter in the
// Problems panel, and keeps the user's per-workspace toggles. Off in an untrusted workspace and with
// `fastrouter.rules.enabled: false`. The pure part is core/context/rules*.ts.
import * as vscode from 'vscode';
import { questionFileOf, readRules, rulesInEffect, rulesSystemText, type ProjectRule, type RuleFile } from '../../core/context/rules';
import { RULE_FILE_GLOBS, RULE_SEARCH_EXCLUDE } from '../../core/context/rulesFormat';
import type { RuleChip } from '../../common/chatTypes';
import { Disposable } from '../dispose';

/** workspaceState key: ids of the rules the user switched off in this workspace. */
export const DISABLED_RULES_KEY = 'fastrouter.rules.disabled';
/** At most this many rule files per folder (a monorepo with an AGENTS.md per package stays well under it). */
const MAX_RULE_FILES = 500;
/** Files bigger than this are not read at all (a rule is cut at 40,000 characters anyway). */
const MAX_READ_BYTES = 1024 * 1024;

export interface ProjectRulesDeps {
  enabled: () => boolean;
  onSettingsChange: vscode.Event<unknown>;
  state: vscode.Memento;
  log: vscode.LogOutputChannel;
}

export interface RulesForQuestion {
  /** What goes into the system prompt after fastrouter.systemPrompt ('' when none). */
  text: string;
  rules: ProjectRule[];
}

export class ProjectRules extends Disposable {
  private rules: Promise<ProjectRule[]> | undefined;
  private uris = new Map<string, vscode.Uri>();
  private watchers: vscode.Disposable[] = [];
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('fastrouter.rules'));
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** The rule files, the setting, trust or a toggle changed: what the next question sends may differ. */
  readonly onDidChange = this.changed.event;
  /** The text of the last question's rules, for the cost preview (which cannot wait). */
  private lastText = '';

  constructor(private readonly deps: ProjectRulesDeps) {
    super();
    let wasEnabled = deps.enabled();
    this._register(deps.onSettingsChange(() => {
      if (deps.enabled() === wasEnabled) return;
      wasEnabled = deps.enabled();
      this.invalidate();
    }));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => {
      this.disposeWatchers();
      this.invalidate();
    }));
    this._register({ dispose: () => this.disposeWatchers() });
  }

  /** Rules are read: the setting is on and the workspace is trusted (rule files are instructions from the workspace). */
  get active(): boolean {
    return this.deps.enabled() && vscode.workspace.isTrusted;
  }

  /** The last system text computed (the cost preview's estimate; the request itself always computes afresh). */
  get cachedText(): string {
    return this.active ? this.lastText : '';
  }

  /** Every rule file of the workspace (read once, again after a change); none when inactive. */
  all(): Promise<ProjectRule[]> {
    if (!this.active) return Promise.resolve([]);
    this.rules ??= this.discover().catch((error: unknown) => {
      this.deps.log.warn(`Rules: could not read the rule files: ${error instanceof Error ? error.message : String(error)}`);
      this.rules = undefined;
      return [];
    });
    return this.rules;
  }

  /** The rules in effect for a question about `files` (display paths: selection, attachments, files the tools touched). */
  async forQuestion(files: readonly string[]): Promise<RulesForQuestion> {
    const all = await this.all();
    if (all.length === 0) {
      this.lastText = '';
      return { text: '', rules: [] };
    }
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.name);
    const questionFiles = files.flatMap((file) => questionFileOf(file, folders) ?? []);
    const rules = rulesInEffect(all, questionFiles, this.disabled());
    const text = rulesSystemText(rules);
    this.lastText = text;
    return { text, rules };
  }

  /**
   * The rules line above the composer: the rules a question about `files` would use, and the ones the user switched
   * off (to switch them on again), and broken ones (so they are never silently skipped).
   */
  async chips(files: readonly string[]): Promise<RuleChip[]> {
    const all = await this.all();
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.name);
    const questionFiles = files.flatMap((file) => questionFileOf(file, folders) ?? []);
    const disabled = this.disabled();
    const inEffect = new Set(rulesInEffect(all, questionFiles).map((r) => r.id));
    return all
      .filter((rule) => inEffect.has(rule.id) || rule.problem)
      .map((rule) => ({
        id: rule.id,
        label: rule.label,
        path: folders.length > 1 ? `${rule.folder}/${rule.relPath}` : rule.relPath,
        tokens: rule.tokens,
        enabled: !disabled.has(rule.id) && !rule.problem,
        scope: describeScope(rule),
        ...(rule.cutFrom !== undefined ? { cutFrom: rule.cutFrom } : {}),
        ...(rule.problem ? { problem: rule.problem.message } : {}),
      }));
  }

  disabled(): Set<string> {
    const value = this.deps.state.get<unknown>(DISABLED_RULES_KEY);
    return new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  }

  /** Switches a rule on or off for this workspace (workspaceState). */
  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const disabled = this.disabled();
    if (enabled) disabled.delete(id);
    else disabled.add(id);
    await this.deps.state.update(DISABLED_RULES_KEY, [...disabled].sort());
    this.changed.fire();
  }

  /** Opens a rule file in the editor. */
  async open(id: string): Promise<boolean> {
    await this.all();
    const uri = this.uris.get(id);
    if (!uri) return false;
    await vscode.window.showTextDocument(uri, { preview: true });
    return true;
  }

  private invalidate(): void {
    this.rules = undefined;
    if (!this.active) this.diagnostics.clear();
    this.changed.fire();
  }

  private async discover(): Promise<ProjectRule[]> {
    const started = Date.now();
    const folders = vscode.workspace.workspaceFolders ?? [];
    this.watch(folders);
    const files: RuleFile[] = [];
    const uris = new Map<string, vscode.Uri>();
    const glob = `{${RULE_FILE_GLOBS.join(',')}}`;
    for (const folder of folders) {
      const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), new vscode.RelativePattern(folder, RULE_SEARCH_EXCLUDE), MAX_RULE_FILES);
      for (const uri of found) {
        const relPath = relativeTo(folder.uri, uri);
        if (relPath === undefined) continue;
        try {
          const stat = await vscode.workspace.fs.stat(uri);
          if (stat.type & vscode.FileType.Directory) continue;
          const bytes = await vscode.workspace.fs.readFile(uri);
          const text = new TextDecoder('utf-8').decode(bytes.byteLength > MAX_READ_BYTES ? bytes.subarray(0, MAX_READ_BYTES) : bytes);
          files.push({ folder: folder.name, relPath, text });
          uris.set(`${folder.name}/${relPath}`, uri);
        } catch (error) {
          this.deps.log.warn(`Rules: could not read ${relPath}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    const rules = readRules(files);
    this.uris = uris;
    this.report(rules);
    this.deps.log.info(`Rules: ${rules.length} rule file(s) in ${folders.length} folder(s), read in ${Date.now() - started} ms`);
    return rules;
  }

  /** Broken frontmatter goes to the Problems panel, on the line it is on. */
  private report(rules: readonly ProjectRule[]): void {
    this.diagnostics.clear();
    for (const rule of rules) {
      if (!rule.problem) continue;
      const uri = this.uris.get(rule.id);
      if (!uri) continue;
      const line = Math.max(0, rule.problem.line);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), rule.problem.message, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'FastRouter rules';
      this.diagnostics.set(uri, [diagnostic]);
    }
  }

  /** One watcher per folder over every rule file: a change re-reads them before the next question. */
  private watch(folders: readonly vscode.WorkspaceFolder[]): void {
    if (this.watchers.length > 0) return;
    const glob = `{${RULE_FILE_GLOBS.join(',')}}`;
    for (const folder of folders) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
      const changed = () => {
        this.rules = undefined;
        this.changed.fire();
      };
      this.watchers.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    }
  }

  private disposeWatchers(): void {
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
  }
}

function relativeTo(folder: vscode.Uri, uri: vscode.Uri): string | undefined {
  const base = folder.path.endsWith('/') ? folder.path : `${folder.path}/`;
  return uri.path.startsWith(base) ? uri.path.slice(base.length) : undefined;
}

function describeScope(rule: ProjectRule): string {
  const scope = rule.scope;
  switch (scope.kind) {
    case 'always':
      return 'every question';
    case 'folder':
      return `files under ${scope.dir}/`;
    case 'globs':
      return `files matching ${scope.globs.join(', ')}`;
    case 'onRequest':
      return `read when relevant: ${scope.description}`;
    case 'manual':
      return 'not applied';
  }
}
