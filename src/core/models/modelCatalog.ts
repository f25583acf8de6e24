// What the extension knows about Claude models before (or without) the endpoint's model list: names, limits and
// prices. The live list (src/api/models.ts) replaces it when it can be fetched; this is the fallback and the
// source of display names for ids the list does not name. Pure data and lookups: no vscode, no I/O.

/** Prices in credits (FastRouter credits are USD) per token, as the endpoint's model list gives them. */
export interface ModelPricing {
  input: number;
  output: number;
  /** Prompt-cache reads; Anthropic bills them at 0.1 × input when the list does not say. */
  cacheRead?: number;
  /** Prompt-cache writes (5-minute TTL); 1.25 × input when the list does not say. */
  cacheWrite?: number;
}

export interface ModelInfo {
  /** The id requests use, e.g. `anthropic/claude-sonnet-4-20250514` (FastRouter) or `claude-sonnet-4-20250514`. */
  id: string;
  /** Human name, e.g. "Claude Sonnet 4". */
  name: string;
  /** Family for grouping, e.g. "claude-sonnet-4". */
  family: string;
  contextLength: number;
  maxOutputTokens: number;
  pricing?: ModelPricing;
  supportsImages: boolean;
  supportsTools: boolean;
}

const M = 1_000_000;
const per = (usdPerMillion: number): number => usdPerMillion / M;

function claude(id: string, name: string, family: string, maxOutputTokens: number, input: number, output: number): ModelInfo {
  return {
    id,
    name,
    family,
    contextLength: 200_000,
    maxOutputTokens,
    pricing: { input: per(input), output: per(output), cacheRead: per(input * 0.1), cacheWrite: per(input * 1.25) },
    supportsImages: true,
    supportsTools: true,
  };
}

/** Used when the endpoint's list cannot be had. Prices are Anthropic's list prices, which FastRouter passes on. */
export const BUILTIN_MODELS: readonly ModelInfo[] = [
  claude('anthropic/claude-sonnet-4-5-20250929', 'Claude Sonnet 4.5', 'claude-sonnet-4-5', 64_000, 3, 15),
  claude('anthropic/claude-sonnet-4-20250514', 'Claude Sonnet 4', 'claude-sonnet-4', 64_000, 3, 15),
  claude('anthropic/claude-opus-4-5-20251101', 'Claude Opus 4.5', 'claude-opus-4-5', 64_000, 5, 25),
  claude('anthropic/claude-opus-4-1-20250805', 'Claude Opus 4.1', 'claude-opus-4-1', 32_000, 15, 75),
  claude('anthropic/claude-opus-4-20250514', 'Claude Opus 4', 'claude-opus-4', 32_000, 15, 75),
  claude('anthropic/claude-haiku-4-5-20251001', 'Claude Haiku 4.5', 'claude-haiku-4-5', 64_000, 1, 5),
  claude('anthropic/claude-3-7-sonnet-20250219', 'Claude Sonnet 3.7', 'claude-3-7-sonnet', 64_000, 3, 15),
  claude('anthropic/claude-3-5-haiku-20241022', 'Claude Haiku 3.5', 'claude-3-5-haiku', 8_192, 0.8, 4),
];

/** The id without a provider prefix: `anthropic/claude-x` → `claude-x`. */
export function bareModelId(id: string): string {
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

/** A model in `models` (default: the built-in list) whose id matches `id` with or without the provider prefix. */
export function findModel(id: string, models: readonly ModelInfo[] = BUILTIN_MODELS): ModelInfo | undefined {
  const bare = bareModelId(id);
  return models.find((m) => m.id === id) ?? models.find((m) => bareModelId(m.id) === bare);
}

/**
 * The name to show for a model id: the list's name when known, else a readable form of the id without its provider
 * prefix and date ("claude-sonnet-4-20250514" → "claude-sonnet-4"), never "anthropic/…".
 */
export function modelDisplayName(id: string, models: readonly ModelInfo[] = BUILTIN_MODELS): string {
  const known = findModel(id, models);
  if (known) return known.name;
  return bareModelId(id).replace(/-\d{8}$/, '') || id;
}

/** Claude models only (ids `anthropic/…` or `claude-…`), as Select Model and the language model provider list them. */
export function isClaudeModelId(id: string): boolean {
  return /^anthropic\//.test(id) || /^claude-/.test(id);
}

/** Cache prices when the list gives only input/output: reads 0.1 ×, writes 1.25 × the input price. */
export function withCachePrices(pricing: ModelPricing): Required<ModelPricing> {
  return {
    input: pricing.input,
    output: pricing.output,
    cacheRead: pricing.cacheRead ?? pricing.input * 0.1,
    cacheWrite: pricing.cacheWrite ?? pricing.input * 1.25,
  };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** Credits for `usage` at `pricing`: an estimate (never a billed figure); undefined without prices. */
export function estimateCredits(usage: TokenUsage, pricing: ModelPricing | undefined): number | undefined {
  if (!pricing) return undefined;
  const p = withCachePrices(pricing);
  return (
    usage.inputTokens * p.input +
    usage.outputTokens * p.output +
    (usage.cacheReadTokens ?? 0) * p.cacheRead +
    (usage.cacheWriteTokens ?? 0) * p.cacheWrite
  );
}
