// registerChat: the chat panel feature in one call (view, commands, persistence), as extension.ts expects.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildUserContent } from '../../core/request/prompt';
import { ConversationController } from '../../core/conversation/conversationController';
import { ConversationStore } from '../../core/conversation/conversationStore';
import { cachePrefixKey } from '../../core/cost/costPreview';
import { findModel, withCachePrices } from '../../core/models/modelCatalog';
import { MIN_THINKING_BUDGET } from '../../core/request/settings';
import type { ModelCatalog } from '../models/modelCatalog';
import type { RequestRunner } from '../request/requestRunner';
import type { SettingsService } from '../request/settings';
import { toolDefinitions } from '../../core/tools/definitions';
import type { ApiKeyStore } from '../request/apiKey';
import { WorkspaceTools } from '../tools';
import { ChatService } from './chatService';
import type { ProjectRules } from '../context/projectRules';
import { systemWithRules } from '../../core/context/rules';
import { filesOfConversation } from '../../core/context/questionFiles';
import type { AnswerRunner } from '../../core/conversation/answerRun';
import { compactingRunner } from '../../core/context/compaction';
import { anchoredRunner, type ContextAnchor } from '../../core/context/contextMeter';

export { ChatService } from './chatService';

export interface ChatDeps {
  runner: RequestRunner;
  /** Model names from the endpoint's list; refreshed (when stale) as the chat opens. */
  models?: ModelCatalog;
  settings: SettingsService;
  log: vscode.LogOutputChannel;
  /** Only so a command's environment never carries a copy of the key. */
  apiKey?: ApiKeyStore;
  /** Project rules: in the system prompt of every chat request, after fastrouter.systemPrompt. */
  rules?: ProjectRules;
  /** A cost record that could not be written: the notice is said in the chat too. */
  costNotRecorded?: vscode.Event<string>;
}

/** Where conversations live: one JSON file each plus an index, outside globalState. */
export function conversationsDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'conversations');
}

export function registerChat(context: vscode.ExtensionContext, deps: ChatDeps): ChatService {
  const log = (message: string) => deps.log.info(`Chat: ${message}`);
  const storageDir = conversationsDir(context);
  const checkpointDir = context.storageUri ? path.join(context.storageUri.fsPath, 'checkpoints') : undefined;
  const tools = new WorkspaceTools(deps.settings, async () => deps.apiKey?.get(), checkpointDir, log);
  context.subscriptions.push(tools);
  // Asked when a page is painted: a good moment to fetch a stale model list (in the background, never awaited).
  const modelName = () => {
    deps.models?.refreshIfStale();
    return deps.models?.displayName(deps.settings.current.model) ?? deps.settings.current.model;
  };
  const store = new ConversationStore(storageDir, log);
  // The files the question is about: the conversation's attachments and tool calls, and the composer's files.
  const questionFiles = (): string[] => [
    ...filesOfConversation(controller.conversation.exchanges),
    ...service.pendingCode.filter((item) => item.kind !== 'problems').map((item) => item.path),
  ];
  // The context meter's anchor per conversation: the endpoint's count of its last request and our estimate of it.
  const anchors = new Map<string, ContextAnchor>();
  // Every chat request (questions, tool rounds, Continue, Retry) gets the rules in effect, read afresh.
  const anchored = anchoredRunner(deps.runner, (id, anchor) => anchors.set(id, anchor), () => controller.conversation.id);
  // A request that would pass fastrouter.context.compactAt of the model's window sends stubs for old tool results;
  // one the endpoint still refuses as too long is compacted further and sent again, once.
  const compacting = compactingRunner(anchored, () => ({
    contextLength: findModel(deps.settings.current.model, deps.models?.models)?.contextLength,
    compactAt: deps.settings.current['context.compactAt'],
  }), (result) => log(`compacted the request: ${result.stubbed} old tool result(s) stubbed, ≈${result.before} → ≈${result.after} tokens`));
  const runner: AnswerRunner = {
    run: async (input, signal, onEvent, options) => {
      const rules = deps.rules ? await deps.rules.forQuestion(questionFiles()) : undefined;
      const system = systemWithRules(input.system ?? deps.settings.current.systemPrompt, rules?.text ?? '');
      const model = deps.settings.current.model;
      const outcome = await compacting.run({ ...input, system }, signal, onEvent, options);
      // What this request's cache prefix was made of: the cost preview's next estimate compares it with its own.
      return outcome.meta ? { ...outcome, meta: { ...outcome.meta, cacheKey: cachePrefixKey(model, system || undefined, input.tools) } } : outcome;
    },
  };
  const controller = new ConversationController({
    runner,
    store,
    userContent: buildUserContent,
    post: (message) => {
      service.provider.post(message);
      // A new conversation, or an answer whose tools touched files: glob and nested rules may apply now.
      if (message.type === 'snapshot' || message.type === 'turnEnded') service.refreshRules();
    },
    model: () => deps.settings.current.model,
    modelName: () => modelName(),
    // The API refuses a prefilled assistant message when extended thinking is on.
    prefillAllowed: () => deps.settings.current.thinkingBudgetTokens < MIN_THINKING_BUDGET,
    log,
    tools,
    // A chat that could not be saved (a full disk) lives only in this window until it can be: VS Code gives extensions
    // no say when a window closes, so the warning comes now, with a way to keep the chat elsewhere.
    unsavedChanged: (reason) => {
      if (!reason) return;
      deps.log.warn(`Chat: a conversation could not be saved (${reason}); kept in this window, retried every 30 s and at the next change.`);
      const exportChat = vscode.l10n.t('Export Chat…');
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t('A FastRouter chat could not be saved: {0}. It is kept in this window only; closing or reloading the window before it is saved loses it. It is saved again as soon as there is room.', reason),
          exportChat,
        )
        .then((choice) => choice === exportChat && vscode.commands.executeCommand('fastrouter.exportChat'));
    },
    // The cost preview: what the next request sends besides the conversation, and the model's input price.
    previewSettings: () => {
      const model = findModel(deps.settings.current.model, deps.models?.models);
      const pricing = model?.pricing;
      const anchor = anchors.get(controller.conversation.id);
      const prices = pricing ? withCachePrices(pricing) : undefined;
      const system = systemWithRules(deps.settings.current.systemPrompt, deps.rules?.cachedText ?? '') || undefined;
      // The workspace tools go with every chat request while they are on.
      const definitions = tools.enabled() ? toolDefinitions(tools.omitted()) : undefined;
      return {
        system,
        tools: definitions,
        model: deps.settings.current.model,
        cacheKey: cachePrefixKey(deps.settings.current.model, system, definitions),
        inputCreditsPerToken: prices?.input,
        nextContext: service.pendingCode,
        ...(model ? { contextLength: model.contextLength } : {}),
        compactAt: deps.settings.current['context.compactAt'],
        ...(anchor ? { anchor } : {}),
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
    checkpoints: tools.checkpoints,
    maxChars: () => deps.settings.current.maxSelectionChars,
    store,
    rules: deps.rules,
    questionFiles,
  });
  context.subscriptions.push(service);
  if (deps.costNotRecorded) context.subscriptions.push(deps.costNotRecorded((message) => service.provider.post({ type: 'notice', level: 'error', message })));
  // Redo of the last Restore, from the palette too: after a reload the notification with its Redo button is gone.
  context.subscriptions.push(vscode.commands.registerCommand('fastrouter.redoRestore', () => service.redoRestore()));
  return service;
}
