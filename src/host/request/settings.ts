// The `fastrouter.*` settings as a live, validated value. Each bad value is reported once (naming the setting)
// and replaced by its default; changes apply at once through `onDidChange`, no reload.
import * as vscode from 'vscode';
import { parseSettings, SETTING_KEYS, type FastRouterSettings, type SettingKey, type SettingProblem } from '../../core/request/settings';
import { Disposable } from '../dispose';

export class SettingsService extends Disposable {
  private value: FastRouterSettings;
  private problemsValue: SettingProblem[] = [];
  /** `key=value` pairs already shown, so the same bad value is not announced again on every change. */
  private readonly announced = new Set<string>();
  private readonly changed = this._register(new vscode.EventEmitter<FastRouterSettings>());
  readonly onDidChange: vscode.Event<FastRouterSettings> = this.changed.event;

  constructor(private readonly log?: vscode.LogOutputChannel) {
    super();
    this.value = this.read();
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('fastrouter')) return;
        this.value = this.read();
        this.log?.info(`Settings changed: model=${this.value.model} baseUrl=${this.value.baseUrl} thinking=${this.value.thinkingBudgetTokens}`);
        this.changed.fire(this.value);
      }),
    );
  }

  get current(): FastRouterSettings {
    return this.value;
  }

  /** The settings that currently hold a bad value (and fell back to their default). */
  get problems(): readonly SettingProblem[] {
    return this.problemsValue;
  }

  private read(): FastRouterSettings {
    const config = vscode.workspace.getConfiguration('fastrouter');
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) raw[key] = config.get(key);
    const { settings, problems } = parseSettings(raw);
    this.problemsValue = problems;
    for (const problem of problems) this.announce(problem);
    return settings;
  }

  private announce(problem: SettingProblem): void {
    const id = `${problem.key}=${problem.value}`;
    if (this.announced.has(id)) return;
    this.announced.add(id);
    this.log?.warn(`Invalid setting fastrouter.${problem.key}; ${problem.blocksRequests ? 'requests are not sent until it is fixed' : 'using the default'}.`);
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showWarningMessage(problem.message, open).then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', `fastrouter.${problem.key}`);
    });
  }
}
