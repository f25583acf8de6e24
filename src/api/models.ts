// The endpoint's model list: `GET …/models` next to the Messages URL. FastRouter's list is public and OpenAI-shaped
// (`{data: [{id, name, context_length, max_completion_tokens?, pricing: {prompt, completion, …}}]}`, prices as
// USD-per-token strings); Anthropic's is `{data: [{id, display_name, max_input_tokens?, max_tokens?}]}`. Both are
// validated with zod; one bad entry is skipped, a list with no usable entry is an error. No vscode: plain fetch.
import * as z from 'zod/mini';
import { FastRouterError } from './errors';
import type { AuthHeaderStyle } from './client';
import { messagesUrl } from './url';

/** One model as the list describes it. Prices in credits (USD) per token; absent when the list has none. */
export interface ListedModel {
  id: string;
  name: string;
  contextLength?: number;
  maxOutputTokens?: number;
  pricing?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
}

export interface ParsedModelList {
  models: ListedModel[];
  /** Entries that did not match either shape (left out, counted for the log). */
  skipped: number;
}

/** The models URL: the Messages URL with its last segment `messages` replaced by `models`. */
export function modelsUrl(baseUrl?: string): string {
  return modelsUrlFor(messagesUrl(baseUrl));
}

export function modelsUrlFor(messages: string): string {
  const url = new URL(messages);
  if (!/\/messages\/?$/.test(url.pathname)) throw new FastRouterError(`The Messages URL does not end in /messages: ${url.origin}${url.pathname}`);
  url.pathname = url.pathname.replace(/\/messages\/?$/, '/models');
  return url.toString();
}

/** A USD-per-token price: a decimal string or a number, finite and not negative ("-1" means "varies": unknown). */
const Price = z.pipe(z.union([z.string(), z.number()]), z.transform((value, ctx) => {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) {
    ctx.issues.push({ code: 'custom', message: 'price is not a number', input: value });
    return z.NEVER;
  }
  return n < 0 ? undefined : n;
}));
const Tokens = z.number().check(z.int(), z.positive());

const OpenAiModel = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  name: z.optional(z.string().check(z.maxLength(200))),
  context_length: z.nullish(Tokens),
  max_completion_tokens: z.nullish(Tokens),
  top_provider: z.nullish(z.looseObject({ context_length: z.nullish(Tokens), max_completion_tokens: z.nullish(Tokens) })),
  pricing: z.nullish(
    z.looseObject({ prompt: Price, completion: Price, input_cache_read: z.optional(Price), input_cache_write: z.optional(Price) }),
  ),
});

const AnthropicModel = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  display_name: z.string().check(z.maxLength(200)),
  max_input_tokens: z.nullish(Tokens),
  max_tokens: z.nullish(Tokens),
});

const ModelListEnvelope = z.looseObject({ data: z.array(z.unknown()).check(z.maxLength(10_000)) });

/** FastRouter's names often carry the vendor ("Anthropic: Claude Sonnet 4"); the picker shows the model's own name. */
function cleanName(name: string | undefined, id: string): string {
  const trimmed = (name ?? '').replace(/^anthropic:\s*/i, '').trim();
  return trimmed || id;
}

function fromOpenAi(entry: z.infer<typeof OpenAiModel>): ListedModel {
  const model: ListedModel = { id: entry.id, name: cleanName(entry.name, entry.id) };
  const context = entry.context_length ?? entry.top_provider?.context_length;
  if (context) model.contextLength = context;
  const output = entry.max_completion_tokens ?? entry.top_provider?.max_completion_tokens;
  if (output) model.maxOutputTokens = output;
  const p = entry.pricing;
  if (p && p.prompt !== undefined && p.completion !== undefined) {
    model.pricing = { input: p.prompt, output: p.completion };
    if (p.input_cache_read !== undefined) model.pricing.cacheRead = p.input_cache_read;
    if (p.input_cache_write !== undefined) model.pricing.cacheWrite = p.input_cache_write;
  }
  return model;
}

function fromAnthropic(entry: z.infer<typeof AnthropicModel>): ListedModel {
  const model: ListedModel = { id: entry.id, name: cleanName(entry.display_name, entry.id) };
  if (entry.max_input_tokens) model.contextLength = entry.max_input_tokens;
  if (entry.max_tokens) model.maxOutputTokens = entry.max_tokens;
  return model;
}

/** Parses either shape; throws a FastRouterError when the body is not a list or holds no usable model. */
export function parseModelList(body: unknown): ParsedModelList {
  const envelope = ModelListEnvelope.safeParse(body);
  if (!envelope.success) throw new FastRouterError('The model list is not in a known shape (expected {"data": [...]}).');
  const models: ListedModel[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const raw of envelope.data.data) {
    // Anthropic's entries have display_name; FastRouter's have name/pricing. Try the one the entry looks like first.
    const looksAnthropic = typeof raw === 'object' && raw !== null && 'display_name' in raw;
    const anthropic = looksAnthropic ? AnthropicModel.safeParse(raw) : undefined;
    const openAi = anthropic?.success ? undefined : OpenAiModel.safeParse(raw);
    const model = anthropic?.success ? fromAnthropic(anthropic.data) : openAi?.success ? fromOpenAi(openAi.data) : undefined;
    if (!model || seen.has(model.id)) {
      skipped++;
      continue;
    }
    seen.add(model.id);
    models.push(model);
  }
  if (models.length === 0) throw new FastRouterError(`The model list has no usable entry (${skipped} entries did not match).`);
  return { models, skipped };
}

export interface FetchModelListOptions {
  baseUrl?: string;
  /** Optional: FastRouter's list is public. When given, it is sent like on Messages requests (never logged). */
  apiKey?: string;
  authHeader?: AuthHeaderStyle;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Gives up after this long (default 10 s). */
  timeoutMs?: number;
}

const MAX_LIST_BYTES = 8 * 1024 * 1024;

/** GETs and parses the list. Throws a FastRouterError (status, shape, network, timeout) that never holds the key. */
export async function fetchModelList(options: FetchModelListOptions = {}): Promise<ParsedModelList & { url: string }> {
  const url = modelsUrl(options.baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', 'anthropic-version': '2023-06-01' };
  if (options.apiKey) {
    if (options.authHeader === 'bearer') headers.authorization = `Bearer ${options.apiKey}`;
    else headers['x-api-key'] = options.apiKey;
  }
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { method: 'GET', headers, signal });
  } catch (error) {
    const why = timeout.aborted ? 'timed out' : options.signal?.aborted ? 'was cancelled' : `failed (${error instanceof Error ? error.name : 'error'})`;
    throw new FastRouterError(`Fetching the model list from ${url} ${why}.`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new FastRouterError(`The model list at ${url} answered HTTP ${response.status}.`);
  }
  const text = await response.text();
  if (text.length > MAX_LIST_BYTES) throw new FastRouterError(`The model list at ${url} is too large (${text.length} bytes).`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new FastRouterError(`The model list at ${url} is not JSON.`);
  }
  return { ...parseModelList(body), url };
}
