// activate(): builds the services in order, registers every feature, awaits nothing (no network, no secret).
// First: configures zod before any schema is built (see the file).
import './zodConfig';
import * as vscode from 'vscode';
import { findModel } from './core/models/modelCatalog';
import { ApiKeyStore } from './host/request/apiKey';
import { registerChat } from './host/chat';
import { registerCommands } from './host/commands';
import { CostTracker } from './host/cost/cost';
import { CostView } from './host/cost/costView';
import { EditSelection, registerEditSelection } from './host/inline/editSelection';
import { registerFixWithFastRouter } from './host/inline/fixWithFastRouter';
import { InlineExplainer } from './host/inline/inlineExplain';
import { registerLanguageModels } from './host/lm/languageModelProvider';
import { lmSpendingGuard } from './host/lm/lmSpendingGuard';
import { ModelCatalog } from './host/models/modelCatalog';
import { RequestPipeline } from './host/request/requestPipeline';
import { RequestRunner } from './host/request/requestRunner';
import { ProjectRules } from './host/context/projectRules';
import { SettingsService } from './host/request/settings';

/**
 * What activate() returns when VS Code runs the extension's tests: the live services. In normal use it returns
 * nothing, because any other extension can read an extension's exports, and these reach the API key.
 */
export interface ExtensionApi {
  settings: SettingsService;
  apiKey: ApiKeyStore;
  cost: CostTracker;
  costView: CostView;
  runner: RequestRunner;
  chat: ReturnType<typeof registerChat>;
  inline: InlineExplainer;
  edit: EditSelection;
  languageModels: ReturnType<typeof registerLanguageModels>;
  models: ModelCatalog;
  rules: ProjectRules;
  /** Folder of this extension's log files (the "FastRouter" channel is written there). */
  logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi | undefined {
  const own = <T extends vscode.Disposable>(value: T): T => {
    context.subscriptions.push(value);
    return value;
  };
  const log = own(vscode.window.createOutputChannel('FastRouter', { log: true }));
  const settings = own(new SettingsService(log));
  const apiKey = own(new ApiKeyStore(context.secrets));
  // The endpoint's model list as cached in globalState (read now; fetched later, when stale and needed).
  const models = own(new ModelCatalog({ state: context.globalState, settings, apiKey: () => apiKey.get(), log }));
  const cost = own(
    new CostTracker(context.globalStorageUri.fsPath, vscode.env.sessionId, {
      limits: () => ({ dailyCredits: settings.current['spendingLimit.dailyCredits'], monthlyCredits: settings.current['spendingLimit.monthlyCredits'] }),
      onLimitsChange: settings.onDidChange,
      log,
      prices: (model) => findModel(model, models.models)?.pricing,
      onPricesChange: models.onDidChange,
    }),
  );
  const costView = own(new CostView(context.extensionUri, cost, { models: () => models.models, log }));
  const pipeline = new RequestPipeline({ settings, apiKey, cost, log, models });
  const runner = new RequestRunner({ pipeline, settings, cost, log });
  // Rule files are found on first use (the first question or the chat's rules line), never here.
  const rules = own(new ProjectRules({ enabled: () => settings.current['rules.enabled'], onSettingsChange: settings.onDidChange, state: context.workspaceState, log }));
  const chat = own(registerChat(context, { runner, settings, log, models, rules, apiKey, costNotRecorded: cost.onDidFailToRecord }));
  const inline = own(new InlineExplainer({ runner, settings, chat, log, rules }));
  const edit = own(new EditSelection({ runner, settings, state: context.globalState, workspaceState: context.workspaceState, log, models, rules }));
  for (const disposable of registerEditSelection(edit)) own(disposable);
  // A review a closed window left open is named (its file may hold both sides); not awaited.
  void edit.safety?.reportCutShort();
  for (const disposable of registerFixWithFastRouter({ edit: (args) => edit.run(args), explain: (editor, question) => inline.explain(editor, question) })) own(disposable);
  for (const disposable of registerCommands({ settings, apiKey, cost, costView, chat, inline, models, log })) own(disposable);
  const languageModels = own(registerLanguageModels({ settings, apiKey, log, models, pipeline, beforeSend: lmSpendingGuard(cost, log) }));
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return { settings, apiKey, cost, costView, runner, chat, inline, edit, languageModels, models, rules, logUri: context.logUri };
}

export function deactivate(): void {}
