// The endpoint's model list as the extension keeps it: the Claude entries of the last list fetched, with the time and
// the URL, stored in globalState; turned into the catalog (ModelInfo) that Select Model, the language model provider
// and the price estimates use, the built-in list filling what the endpoint does not say. Pure: no vscode, no I/O.
import * as z from 'zod/mini';
import { formatPricePerMillion } from '../../common/credits';
import type { ListedModel } from '../../api/models';
import { BUILTIN_MODELS, bareModelId, findModel, isClaudeModelId, type ModelInfo } from './modelCatalog';

/** The list is fetched again after this long (and whenever Select Model opens). */
export const MODEL_LIST_MAX_AGE_MS = 24 * 3600_000;

/** What globalState holds (key MODEL_LIST_STATE_KEY). */
export interface CachedModelList {
  /** The models URL the list came from: a list of another endpoint is not used. */
  url: string;
  fetchedAt: number;
  models: ListedModel[];
}

export const MODEL_LIST_STATE_KEY = 'fastrouter.modelList';

const Tokens = z.number().check(z.int(), z.positive());
const PriceNumber = z.number().check(z.nonnegative());
const CachedModelListSchema = z.object({
  url: z.string(),
  fetchedAt: z.number(),
  models: z.array(
    z.object({
      id: z.string().check(z.minLength(1)),
      name: z.string(),
      contextLength: z.optional(Tokens),
      maxOutputTokens: z.optional(Tokens),
      pricing: z.optional(
        z.object({ input: PriceNumber, output: PriceNumber, cacheRead: z.optional(PriceNumber), cacheWrite: z.optional(PriceNumber) }),
      ),
    }),
  ),
});

/** Reads what globalState holds; anything malformed (an older format, a hand edit) counts as no list. */
export function readCachedModelList(value: unknown): CachedModelList | undefined {
  const parsed = CachedModelListSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** What to keep of a fetched list: its Claude models only (FastRouter lists hundreds of models). */
export function cachedModelList(url: string, fetchedAt: number, models: readonly ListedModel[]): CachedModelList {
  return { url, fetchedAt, models: models.filter((m) => isClaudeModelId(m.id)) };
}

/** Whether the list should be fetched again: none, another endpoint's, older than a day, or from the future. */
export function isModelListStale(cached: CachedModelList | undefined, url: string, now: number, maxAgeMs = MODEL_LIST_MAX_AGE_MS): boolean {
  if (!cached || cached.url !== url) return true;
  return now - cached.fetchedAt >= maxAgeMs || cached.fetchedAt > now + 60_000;
}

/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`. */
function familyOf(id: string): string {
  return bareModelId(id).replace(/-\d{8}$/, '').replace(/-latest$/, '');
}

/** One listed model as the catalog has it; what the list leaves out comes from the built-in entry of the same model. */
export function toModelInfo(listed: ListedModel, builtin: readonly ModelInfo[] = BUILTIN_MODELS): ModelInfo {
  const known = findModel(listed.id, builtin);
  const model: ModelInfo = {
    id: listed.id,
    name: listed.name && listed.name !== listed.id ? listed.name : (known?.name ?? listed.name),
    family: known?.family ?? familyOf(listed.id),
    contextLength: listed.contextLength ?? known?.contextLength ?? 200_000,
    maxOutputTokens: listed.maxOutputTokens ?? known?.maxOutputTokens ?? 8192,
    supportsImages: known?.supportsImages ?? true,
    supportsTools: known?.supportsTools ?? true,
  };
  const pricing = listed.pricing ?? known?.pricing;
  if (pricing) model.pricing = { ...pricing };
  return model;
}

/** The catalog for `url`: the cached list's Claude models when it is that endpoint's and has any, else the built-in list. */
export function catalogFrom(cached: CachedModelList | undefined, url: string | undefined): { models: readonly ModelInfo[]; fromList: boolean } {
  if (!cached || cached.url !== url) return { models: BUILTIN_MODELS, fromList: false };
  const models = cached.models.filter((m) => isClaudeModelId(m.id)).map((m) => toModelInfo(m));
  return models.length > 0 ? { models, fromList: true } : { models: BUILTIN_MODELS, fromList: false };
}

/** "3.00" / "0.80" / "0.08": a price per million tokens in credits, as people compare them (the one credits format). */
export function pricePerMillion(creditsPerToken: number): string {
  return formatPricePerMillion(creditsPerToken);
}

/** "200k context · 3.00 / 15.00 credits per million tokens (input / output)": the detail line Select Model shows. */
export function modelDetail(model: ModelInfo): string {
  const context = model.contextLength >= 1_000_000 ? `${Math.round(model.contextLength / 100_000) / 10}M` : `${Math.round(model.contextLength / 1000)}k`;
  const price = model.pricing
    ? `${pricePerMillion(model.pricing.input)} / ${pricePerMillion(model.pricing.output)} credits per million tokens (input / output)`
    : 'price not listed';
  return `${context} context · ${price}`;
}
