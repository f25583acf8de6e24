// The `fastrouter` language model provider: FastRouter's Claude models in VS Code's own Chat and for any extension
// through `vscode.lm`. Every request goes through the one request pipeline (host/request/requestPipeline.ts: settings,
// key, caching, log, cost ledger); this file keeps only the mapping of VS Code's parts (pure in core/lm/lmRequest.ts,
// core/lm/lmResponse.ts) and the failures as LanguageModelErrors (core/lm/lmErrors.ts).
import * as vscode from 'vscode';
import { blockingSettingProblem, lmFailureOf, type LmFailure } from '../../core/lm/lmErrors';
import { lmModelInformation, lmModels, lmRequestSource, type LmModelInformation } from '../../core/lm/lmModels';
import { LmRequestError, buildLmRequest, messageBlocks, promptTsxText, type LmMessage, type LmPart, type LmRole } from '../../core/lm/lmRequest';
import { LmResponseTranslator, ThinkingMemory } from '../../core/lm/lmResponse';
import type { ModelInfo } from '../../core/models/modelCatalog';
import { estimateTextTokens } from '../../common/tokenCount';
import { estimateMessageTokens } from '../../core/request/tokenEstimate';
import type { ApiKeyStore } from '../request/apiKey';
import { Disposable } from '../dispose';
import type { PipelineOutcome, RequestPipeline } from '../request/requestPipeline';
import type { SettingsService } from '../request/settings';

/** The vendor id in `contributes.languageModelChatProviders` (a contract: `vscode.lm.selectChatModels({vendor})`). */
export const LM_VENDOR = 'fastrouter';

/** Where the model list comes from: the endpoint's list (host/modelCatalog.ts), the built-in one until it is fetched. */
export interface ModelSource {
  list(): readonly ModelInfo[] | Thenable<readonly ModelInfo[]>;
  /** Fires when the list may have changed. */
  onDidChange?: vscode.Event<void>;
}

/** What `beforeSend` learns about a request that is about to be sent (and billed). */
export interface LmSendInfo {
  modelId: string;
  /** `lm:VS Code chat`, `lm:<extension id>` or `lm:unknown`: the ledger's source tag. */
  source: string;
  /** The local estimate of the request's input tokens (tokenEstimate.ts). */
  estimatedInputTokens: number;
  /** The `max_tokens` the request asks for. */
  maxOutputTokens: number;
}

export interface LanguageModelProviderDeps {
  settings: SettingsService;
  apiKey: ApiKeyStore;
  log: vscode.LogOutputChannel;
  models: ModelSource;
  /** The one request pipeline every request goes through. */
  pipeline: RequestPipeline;
  /**
   * Called before every request is sent: the place for spending limits. Throw to refuse the request (a
   * `vscode.LanguageModelError` is passed on as it is; anything else becomes `Blocked` with its message).
   */
  beforeSend?: (request: LmSendInfo, token: vscode.CancellationToken) => void | Promise<void>;
}

const ROLES: Record<number, LmRole> = {
  [vscode.LanguageModelChatMessageRole.User]: 'user',
  [vscode.LanguageModelChatMessageRole.Assistant]: 'assistant',
  // `LanguageModelChatMessageRole.System` (proposed `languageModelSystem`): how VS Code's chat passes its system prompt.
  3: 'system',
};

export class FastRouterLanguageModels extends Disposable implements vscode.LanguageModelChatProvider<LmModelInformation> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void> = this.changed.event;
  /** Thinking blocks of recent tool calls, so a tool loop can send them back (thinking is not in VS Code's API). */
  readonly thinking = new ThinkingMemory();
  private keyNotice: Thenable<unknown> | undefined;

  constructor(private readonly deps: LanguageModelProviderDeps) {
    super();
    this._register(deps.apiKey.onDidChange(() => this.changed.fire()));
    if (deps.models.onDidChange) this._register(deps.models.onDidChange(() => this.changed.fire()));
    let maxTokens = deps.settings.current.maxTokens;
    this._register(
      deps.settings.onDidChange((settings) => {
        // The input room of each model depends on the output this provider asks for.
        if (settings.maxTokens === maxTokens) return;
        maxTokens = settings.maxTokens;
        this.changed.fire();
      }),
    );
    this._register(vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, this));
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions, _token: vscode.CancellationToken): Promise<LmModelInformation[]> {
    // Asked on purpose (Manage Models → FastRouter): ask for a missing key. Silent: never a prompt, the models anyway.
    if (!options.silent && !(await this.keyOrUndefined())) await this.deps.apiKey.promptAndStore();
    const settings = this.deps.settings.current;
    return lmModels(await this.deps.models.list()).map((model) => lmModelInformation(model, settings));
  }

  async provideTokenCount(_model: LmModelInformation, text: string | vscode.LanguageModelChatRequestMessage, _token: vscode.CancellationToken): Promise<number> {
    if (typeof text === 'string') return estimateTextTokens(text);
    const message = toLmMessage(text);
    if (message.role === 'system') {
      return message.parts.reduce((sum, part) => sum + (part.kind === 'text' ? estimateTextTokens(part.text) : 0), 0);
    }
    return estimateMessageTokens({ role: message.role, content: messageBlocks(message) });
  }

  async provideLanguageModelChatResponse(
    model: LmModelInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    // Not in the stable types: VS Code 1.139 passes the requesting extension's id, or "core" for itself.
    const source = lmRequestSource((options as { requestInitiator?: unknown }).requestInitiator);
    if (token.isCancellationRequested) throw new vscode.CancellationError();
    const info = (await this.deps.models.list()).find((m) => m.id === model.id);
    const translator = new LmResponseTranslator();
    const notes: string[] = [];
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    let outcome: PipelineOutcome;
    try {
      outcome = await this.deps.pipeline.send(
        {
          source,
          labelPrefix: 'lm#',
          // Never a prompt from a request another extension makes: NoPermissions, and a notification offering Set API Key.
          key: 'silent',
          // VS Code picks the model, and callers bring their own system prompt: those settings do not hold a request back.
          blockingProblem: blockingSettingProblem,
          params: (settings) => {
            const built = buildLmRequest({
              model: { id: model.id, maxOutputTokens: info?.maxOutputTokens ?? model.maxOutputTokens },
              messages: messages.map(toLmMessage),
              tools: options.tools?.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
              toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto',
              settings,
              modelOptions: options.modelOptions,
              thinkingFor: (callId) => this.thinking.recall(callId),
            });
            notes.push(...built.notes);
            return built.params;
          },
          logNotes: notes,
          beforeSend: async ({ params, estimatedInputTokens }) => {
            await this.checkBeforeSend({ modelId: params.model, source, estimatedInputTokens, maxOutputTokens: params.max_tokens }, token);
            return undefined;
          },
          onEvent: (event) => {
            for (const output of translator.push(event)) {
              if (output.kind === 'text') {
                progress.report(new vscode.LanguageModelTextPart(output.text));
              } else {
                this.thinking.remember(output.callId, output.thinking);
                progress.report(new vscode.LanguageModelToolCallPart(output.callId, output.name, output.input));
              }
            }
          },
          logSuffix: () => ` tool_calls=${translator.toolCalls}`,
        },
        controller.signal,
      );
    } catch (error) {
      if (!(error instanceof LmRequestError)) throw error;
      this.deps.log.warn(`language model request not sent: ${error.message} (${source})`);
      throw this.fail({ code: 'Unknown', message: error.message, needsKey: false, reason: 'invalid_request' });
    } finally {
      onCancel.dispose();
    }
    if (outcome.status === 'stopped') throw new vscode.CancellationError();
    if (outcome.status === 'error' && outcome.error) throw this.fail(lmFailureOf(outcome.error, outcome.notSent === true));
  }

  private async keyOrUndefined(): Promise<string | undefined> {
    try {
      return await this.deps.apiKey.get();
    } catch (error) {
      this.deps.log.error(`could not read the API key from the secret store: ${error instanceof Error ? error.name : 'error'}`);
      return undefined;
    }
  }

  private async checkBeforeSend(info: LmSendInfo, token: vscode.CancellationToken): Promise<void> {
    if (!this.deps.beforeSend) return;
    try {
      await this.deps.beforeSend(info, token);
    } catch (error) {
      this.deps.log.warn(`request not sent: refused before sending (${info.source})`);
      if (error instanceof vscode.LanguageModelError) throw error;
      throw vscode.LanguageModelError.Blocked(error instanceof Error ? error.message : String(error));
    }
  }

  /** The LanguageModelError for a failure; a missing or rejected key also offers Set API Key in a notification. */
  private fail(failure: LmFailure, cause?: unknown): vscode.LanguageModelError {
    if (failure.needsKey) this.offerSetKey(failure.message);
    switch (failure.code) {
      case 'NoPermissions':
        return vscode.LanguageModelError.NoPermissions(failure.message);
      case 'Blocked':
        return vscode.LanguageModelError.Blocked(failure.message);
      case 'NotFound':
        return vscode.LanguageModelError.NotFound(failure.message);
      case 'Unknown': {
        // The stable API has no factory for other failures; VS Code documents `Unknown` with the cause attached.
        const error = new vscode.LanguageModelError(failure.message);
        Object.defineProperty(error, 'code', { value: 'Unknown', enumerable: true, configurable: true });
        if (cause instanceof Error) {
          const why = new Error(failure.message);
          why.name = cause.name;
          Object.defineProperty(error, 'cause', { value: why, enumerable: false, configurable: true });
        }
        return error;
      }
    }
  }

  /** One notification at a time, whatever the number of failing requests (an agent may retry in a loop). */
  private offerSetKey(message: string): void {
    if (this.keyNotice) return;
    const setKey = vscode.l10n.t('Set API Key');
    this.keyNotice = vscode.window.showWarningMessage(message, setKey).then(
      (choice) => {
        this.keyNotice = undefined;
        if (choice === setKey) void vscode.commands.executeCommand('fastrouter.setApiKey');
      },
      () => (this.keyNotice = undefined),
    );
  }
}

/** Registers the provider for vendor `fastrouter`; disposing it unregisters. Awaits nothing. */
export function registerLanguageModels(deps: LanguageModelProviderDeps): FastRouterLanguageModels {
  return new FastRouterLanguageModels(deps);
}

function toLmMessage(message: vscode.LanguageModelChatRequestMessage): LmMessage {
  return { role: ROLES[message.role] ?? 'user', parts: message.content.map(toLmPart) };
}

/** VS Code's part classes (stable ones by class, the data part of 1.139 by its shape) as plain parts. */
function toLmPart(part: unknown): LmPart {
  if (typeof part === 'string') return { kind: 'text', text: part };
  if (part instanceof vscode.LanguageModelTextPart) return { kind: 'text', text: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart) return { kind: 'toolCall', callId: part.callId, name: part.name, input: part.input };
  if (part instanceof vscode.LanguageModelToolResultPart) {
    return { kind: 'toolResult', callId: part.callId, content: part.content.map(toLmPart), isError: (part as { isError?: unknown }).isError === true };
  }
  if (part instanceof vscode.LanguageModelPromptTsxPart) return { kind: 'text', text: promptTsxText(part.value) };
  if (typeof part === 'object' && part !== null) {
    const candidate = part as { mimeType?: unknown; data?: unknown };
    if (typeof candidate.mimeType === 'string' && candidate.data instanceof Uint8Array) return { kind: 'data', mimeType: candidate.mimeType, data: candidate.data };
  }
  const type = typeof part === 'object' && part !== null ? (part.constructor?.name ?? 'object') : typeof part;
  return { kind: 'other', type };
}
