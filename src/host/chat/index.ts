// registerChat: the chat panel feature in one call (view, commands, persistence), as extension.ts expects.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildUserContent } from '../../core/request/prompt';
import { ConversationController } from '../../core/conversation/conversationController';
import { ConversationStore } from '../../core/conversation/conversationStore';
import { findModel, withCachePrices } from '../../core/models/modelCatalog';
import { MIN_THINKING_BUDGET } from '../../core/request/settings';
import type { ModelCatalog } from '../models/modelCatalog';
import type { RequestRunner } from '../request/requestRunner';
import type { SettingsService } from '../request/settings';
import { toolDefinitions } from '../../core/tools/definitions';
import { WorkspaceTools } from '../tools';
import { ChatService } from './chatService';

export { ChatService } from './chatService';

export interface ChatDeps {
  runner: RequestRunner;
  /** Model names from the endpoint's list; refreshed (when stale) as the chat opens. */
  models?: ModelCatalog;
  settings: SettingsService;
  log: vscode.LogOutputChannel;
}

/** Where conversations live: one JSON file each plus an index, outside globalState. */
export function conversationsDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'conversations');
}

export function registerChat(context: vscode.ExtensionContext, deps: ChatDeps): ChatService {
  const log = (message: string) => deps.log.info(`Chat: ${message}`);
  const storageDir = conversationsDir(context);
  const tools = new WorkspaceTools(deps.settings);
  context.subscriptions.push(tools);
  // Asked when a page is painted: a good moment to fetch a stale model list (in the background, never awaited).
  const modelName = () => {
    deps.models?.refreshIfStale();
    return deps.models?.displayName(deps.settings.current.model) ?? deps.settings.current.model;
  };
  const store = new ConversationStore(storageDir, log);
  const controller = new ConversationController({
    runner: deps.runner,
    store,
    userContent: buildUserContent,
    post: (message) => service.provider.post(message),
    model: () => deps.settings.current.model,
    modelName: () => modelName(),
    // The API refuses a prefilled assistant message when extended thinking is on.
    prefillAllowed: () => deps.settings.current.thinkingBudgetTokens < MIN_THINKING_BUDGET,
    log,
    tools,
    // The cost preview: what the next request sends besides the conversation, and the model's input price.
    previewSettings: () => {
      const pricing = findModel(deps.settings.current.model, deps.models?.models)?.pricing;
      const prices = pricing ? withCachePrices(pricing) : undefined;
      return {
        system: deps.settings.current.systemPrompt || undefined,
        // The workspace tools go with every chat request while they are on.
        tools: tools.enabled() ? toolDefinitions() : undefined,
        inputCreditsPerToken: prices?.input,
        nextContext: service.pendingCode,
        ...(prices && deps.settings.current.promptCaching ? { caching: { readCreditsPerToken: prices.cacheRead, writeCreditsPerToken: prices.cacheWrite } } : {}),
      };
    },
  });
  const service: ChatService = new ChatService({
    controller,
    storageDir,
    extensionUri: context.extensionUri,
    log: deps.log,
    model: () => deps.settings.current.model,
    modelName: () => modelName(),
    onModelChange: deps.settings.onDidChange,
    onModelListChange: deps.models?.onDidChange,
    settingProblems: () => deps.settings.problems,
    onSettingsChange: deps.settings.onDidChange,
    showToolDiff: async (toolUseId) => {
      if (!(await tools.showDiff(toolUseId))) void vscode.window.showInformationMessage(vscode.l10n.t('This change was already decided; there is no proposal to compare any more.'));
    },
    toolsBlockedReason: () => tools.blockedReason,
    maxChars: () => deps.settings.current.maxSelectionChars,
    store,
  });
  context.subscriptions.push(service);
  return service;
}
