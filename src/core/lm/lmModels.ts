// What the `fastrouter` language model provider tells VS Code about each model, and how a request's origin is
// named in the cost ledger. Pure: no vscode (the shapes match vscode.LanguageModelChatInformation).
import { formatPricePerMillion } from '../../common/credits';
import { isClaudeModelId, type ModelInfo } from '../models/modelCatalog';
import type { FastRouterSettings } from '../request/settings';

export interface LmModelInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  tooltip: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { imageInput: boolean; toolCalling: boolean };
  /** VS Code 1.139 reads this (not in the stable 1.104 types): shown in the model picker. */
  isUserSelectable: boolean;
}


/**
 * The model as VS Code lists it. The context window holds input and output together: the output is what this
 * provider asks for (`fastrouter.maxTokens`, at most the model's own limit) and the input room is the rest, so
 * VS Code budgets its prompts to fit and shows the real context size.
 */
export function lmModelInformation(model: ModelInfo, settings: Pick<FastRouterSettings, 'maxTokens'>): LmModelInformation {
  const output = Math.max(1, Math.min(settings.maxTokens, model.maxOutputTokens));
  const price = model.pricing ? ` · ${formatPricePerMillion(model.pricing.input)} in / ${formatPricePerMillion(model.pricing.output)} out credits per million tokens` : '';
  return {
    id: model.id,
    name: model.name,
    family: model.family,
    version: /-(\d{8})$/.exec(model.id)?.[1] ?? model.id,
    tooltip: `${model.name} through FastRouter (${model.id}) · ${Math.round(model.contextLength / 1000)}k context${price}`,
    maxInputTokens: Math.max(1, model.contextLength - output),
    maxOutputTokens: output,
    capabilities: { imageInput: model.supportsImages, toolCalling: model.supportsTools },
    isUserSelectable: true,
  };
}

/** The models the provider offers: the Claude models of the list, each id once. */
export function lmModels(models: readonly ModelInfo[]): ModelInfo[] {
  const seen = new Set<string>();
  return models.filter((m) => isClaudeModelId(m.id) && !seen.has(m.id) && seen.add(m.id));
}

/** VS Code's own chat (requests VS Code makes itself, and those of the extension that implements its Chat view). */
export const VSCODE_CHAT_SOURCE = 'VS Code chat';
const CHAT_EXTENSIONS = new Set(['github.copilot-chat']);

/**
 * Who asked, for the ledger: `lm:VS Code chat`, or `lm:<extension id>` of the extension that called
 * `sendRequest`, or `lm:unknown`. VS Code passes `requestInitiator` ("core" for itself) at run time, outside the
 * stable types.
 */
export function lmRequestSource(requestInitiator: unknown): string {
  const initiator = typeof requestInitiator === 'string' ? requestInitiator.trim().toLowerCase() : '';
  if (initiator === '') return 'lm:unknown';
  if (initiator === 'core' || CHAT_EXTENSIONS.has(initiator)) return `lm:${VSCODE_CHAT_SOURCE}`;
  return `lm:${initiator.slice(0, 120)}`;
}
