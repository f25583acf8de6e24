// The `fastrouter.*` settings: one zod schema per setting, so one bad value falls back to its own default
// and the user is told which setting was wrong. Pure: the host reads the raw values and calls `parseSettings`.
import * as z from 'zod/mini';
import type { MessageCreateParams, MessageParam, Tool, ToolChoice } from '../../api';

export const DEFAULT_BASE_URL = 'https://api.fastrouter.ai';
export const DEFAULT_MODEL = 'anthropic/claude-sonnet-4-20250514';

export const DEFAULT_SYSTEM_PROMPT = [
  'You are an expert software engineer helping a developer inside their code editor.',
  'Answer questions about code precisely and concisely. When code is given, refer to it by its file name and line numbers.',
  'Explain what the code does and why before suggesting changes; point out bugs, edge cases and security problems you notice.',
  'Put code in fenced Markdown blocks with a language tag. Prefer small, complete snippets the developer can paste.',
  'If something is ambiguous or you are unsure, say so instead of guessing.',
].join(' ');

/** The minimum `thinking.budget_tokens` the Messages API accepts. */
export const MIN_THINKING_BUDGET = 1024;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** https anywhere; plain http only to this machine (a local proxy or test server), so the key never crosses a network in clear. */
export function checkBaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.search || url.hash) return 'must not contain a query or fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'may use plain http only for 127.0.0.1, localhost or [::1]; use https';
  }
  return 'must start with https://';
}

const baseUrl = z.pipe(
  z.string().check(
    z.trim(),
    z.superRefine((value, ctx) => {
      const problem = checkBaseUrl(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  z.transform((value) => value.replace(/\/+$/, '')),
);

const whole = 'must be a whole number';

const optionalNumber = (min: number, max: number) =>
  z.pipe(z.optional(z.nullable(z.number().check(z.gte(min), z.lte(max)))), z.transform((v) => v ?? undefined));

/** Credits; 0 = no limit. */
const spendingLimit = z._default(z.number().check(z.gte(0, 'must be 0 (no limit) or more'), z.lte(1_000_000_000)), 0);

export const settingSchemas = {
  baseUrl: z._default(baseUrl, DEFAULT_BASE_URL),
  model: z._default(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)), DEFAULT_MODEL),
  maxTokens: z._default(z.number().check(z.int(whole), z.gte(1), z.lte(200_000)), 8192),
  temperature: optionalNumber(0, 1),
  topP: optionalNumber(0, 1),
  topK: z.pipe(z.optional(z.nullable(z.number().check(z.int(whole), z.gte(1)))), z.transform((v) => v ?? undefined)),
  stopSequences: z._default(z.array(z.string().check(z.minLength(1, 'must not contain empty strings'))).check(z.maxLength(16)), []),
  systemPrompt: z._default(z.string().check(z.maxLength(100_000)), DEFAULT_SYSTEM_PROMPT),
  authHeader: z._default(z.enum(['x-api-key', 'bearer']), 'x-api-key'),
  thinkingBudgetTokens: z._default(
    z.number().check(
      z.int(whole),
      z.gte(0),
      z.lte(200_000),
      z.refine((v) => v === 0 || v >= MIN_THINKING_BUDGET, `must be 0 (off) or at least ${MIN_THINKING_BUDGET}`),
    ),
    0,
  ),
  idleTimeoutSeconds: z._default(z.number().check(z.gte(5), z.lte(600)), 60),
  maxSelectionChars: z._default(z.number().check(z.int(whole), z.gte(100), z.lte(2_000_000)), 100_000),
  'spendingLimit.dailyCredits': spendingLimit,
  'spendingLimit.monthlyCredits': spendingLimit,
  'tools.enabled': z._default(z.boolean(), true),
  'tools.autoApproveReadOnly': z._default(z.boolean(), true),
  'tools.maxRounds': z._default(z.number().check(z.int(whole), z.gte(1), z.lte(1000)), 25),
  'tools.maxCreditsPerQuestion': z._default(z.number().check(z.gte(0, 'must be 0 (no limit) or more'), z.lte(1_000_000_000)), 0),
  'tools.commandTimeoutSeconds': z._default(z.number().check(z.int(whole), z.gte(1), z.lte(3600)), 120),
  'tools.commandRules': z._default(z.record(z.string(), z.boolean()), {}),
  'context.compactAt': z._default(z.number().check(z.gte(0.5, 'must be 0.5 or more'), z.lte(0.95, 'must be 0.95 or less')), 0.8),
  promptCaching: z._default(z.boolean(), true),
  'rules.enabled': z._default(z.boolean(), true),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export const SETTING_KEYS = Object.keys(settingSchemas) as SettingKey[];

export interface FastRouterSettings {
  baseUrl: string;
  model: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences: string[];
  systemPrompt: string;
  authHeader: 'x-api-key' | 'bearer';
  thinkingBudgetTokens: number;
  idleTimeoutSeconds: number;
  maxSelectionChars: number;
  /** Credits per local day, all windows; 0 = no limit. */
  'spendingLimit.dailyCredits': number;
  /** Credits per calendar month, all windows; 0 = no limit. */
  'spendingLimit.monthlyCredits': number;
  /** The chat may use the workspace tools (read, search, edit) in a trusted workspace. */
  'tools.enabled': boolean;
  /** Read-only tools run without asking (secret-looking files always ask). */
  'tools.autoApproveReadOnly': boolean;
  /** The share of the model's context window a request may fill before old tool results are compacted. */
  'context.compactAt': number;
  /** Tool rounds per question before the loop pauses for Continue. */
  'tools.maxRounds': number;
  /** Billed credits per question before the tool loop pauses; 0 = no limit. */
  'tools.maxCreditsPerQuestion': number;
  /** run_command's default timeout (the model may ask for another, 1–3600 s). */
  'tools.commandTimeoutSeconds': number;
  /** run_command rules: a prefix or /regex/ → true (run unasked) or false (never run); deny wins. */
  'tools.commandRules': Record<string, boolean>;
  /** Prompt-cache breakpoints on the system prompt, tools and last user turn (promptCaching.ts). */
  promptCaching: boolean;
  /** Project rules (AGENTS.md, CLAUDE.md, Copilot/Cursor/… rule files) go into the system prompt, in a trusted workspace. */
  'rules.enabled': boolean;
}

export interface SettingProblem {
  /** The short key, e.g. 'baseUrl'; the user-facing name is `fastrouter.${key}`. */
  key: SettingKey;
  /** The offending value, as JSON (for "tell once per bad value"). */
  value: string;
  /** What is wrong with it, e.g. "is not a valid URL". */
  reason: string;
  /**
   * The value changes where or how a request is sent (endpoint, key header, model, sampling, prompt, limits): no request
   * goes out until it is fixed, rather than silently using a default the user did not choose.
   */
  blocksRequests: boolean;
  /** A sentence naming the setting, what is wrong, and what happens meanwhile. */
  message: string;
}

/**
 * Settings that only tune how the editor asks (e.g. the selection size that asks first) fall back to their default
 * when invalid; every other setting shapes the request itself, so a bad value stops requests instead.
 */
const NON_BLOCKING: ReadonlySet<string> = new Set(['maxSelectionChars', 'promptCaching', 'tools.enabled', 'tools.autoApproveReadOnly', 'tools.maxRounds', 'tools.maxCreditsPerQuestion', 'tools.commandTimeoutSeconds', 'tools.commandRules', 'rules.enabled', 'context.compactAt']);

export function defaultSettings(): FastRouterSettings {
  return parseSettings({}).settings;
}

/** Parses each setting on its own; `undefined`/`null` mean "not set" (the default). */
export function parseSettings(raw: Partial<Record<SettingKey, unknown>>): { settings: FastRouterSettings; problems: SettingProblem[] } {
  const problems: SettingProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const schema = settingSchemas[key] as z.ZodMiniType;
    const value = raw[key] === null && key !== 'temperature' && key !== 'topP' && key !== 'topK' ? undefined : raw[key];
    const result = schema.safeParse(value);
    if (result.success) {
      out[key] = result.data;
      continue;
    }
    const fallback = schema.parse(undefined);
    out[key] = fallback;
    const reason = result.error.issues.map((issue) => issue.message).join('; ');
    const blocksRequests = !NON_BLOCKING.has(key);
    problems.push({
      key,
      value: safeJson(value),
      reason,
      blocksRequests,
      message: blocksRequests
        ? `Setting "fastrouter.${key}" ${describeValue(value)} ${reason}. Requests are not sent until it is fixed.`
        : `Setting "fastrouter.${key}" ${describeValue(value)} ${reason}. Using the default${fallback === undefined ? ' (not set)' : ` ${safeJson(fallback)}`} instead.`,
    });
  }
  return { settings: out as unknown as FastRouterSettings, problems };
}

function describeValue(value: unknown): string {
  const json = safeJson(value);
  return `is ${json.length > 80 ? `${json.slice(0, 77)}...` : json}:`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The request body for a conversation under the current settings. With extended thinking the API refuses
 * temperature and top_k (and top_p below 0.95), and needs max_tokens above the thinking budget.
 */
export function requestParams(settings: FastRouterSettings, input: { messages: MessageParam[]; system?: string; tools?: Tool[]; toolChoice?: ToolChoice }): MessageCreateParams {
  const budget = settings.thinkingBudgetTokens;
  const thinking = budget >= MIN_THINKING_BUDGET;
  const params: MessageCreateParams = {
    model: settings.model,
    // The budget is part of max_tokens; keep the configured answer room on top of it when it would not fit.
    max_tokens: thinking && settings.maxTokens <= budget ? budget + settings.maxTokens : settings.maxTokens,
    messages: input.messages,
  };
  const system = input.system ?? settings.systemPrompt;
  if (system.trim() !== '') params.system = system;
  if (settings.stopSequences.length > 0) params.stop_sequences = [...settings.stopSequences];
  if (input.tools && input.tools.length > 0) params.tools = input.tools;
  if (input.toolChoice) params.tool_choice = input.toolChoice;
  if (thinking) {
    params.thinking = { type: 'enabled', budget_tokens: budget };
    if (settings.topP !== undefined && settings.topP >= 0.95) params.top_p = settings.topP;
  } else {
    if (settings.temperature !== undefined) params.temperature = settings.temperature;
    if (settings.topP !== undefined) params.top_p = settings.topP;
    if (settings.topK !== undefined) params.top_k = settings.topK;
  }
  return params;
}
