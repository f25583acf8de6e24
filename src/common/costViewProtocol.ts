// The typed message contract between the extension host and the cost view (Show Cost's editor panel), both
// directions. Like protocol.ts it stands alone: the host (src/host/cost/costView.ts), the pure aggregation
// (src/core/cost/costView.ts) and the view's own bundle (src/webviews/cost/) import it. Every message from the view is
// validated with `CostViewToHostSchema` before the host acts on it.
// zod/mini: the same validation at a fraction of the size in the view's own bundle (the .vsix stays small).
import * as z from 'zod/mini';

/** Who asked: chat, inline explanation, a tool round of a chat answer, a chat's compaction summary, VS Code's Chat, another extension, or not recorded. */
export const CostSourceKindSchema = z.enum(['chat', 'inline', 'tool', 'compaction', 'vscode', 'extension', 'unspecified']);
export type CostSourceKind = z.infer<typeof CostSourceKindSchema>;

/** An amount of credits with its text from the host's one formatter (formatCredits), so every place shows the same digits (negative only for a cache "saving" that cost more). */
export const CreditsSchema = z.object({ value: z.number(), text: z.string().check(z.maxLength(40)) });
export type Credits = z.infer<typeof CreditsSchema>;

/** One local day of the chart: billed credits, estimates for stopped answers apart. */
export const CostDaySchema = z.object({
  /** `YYYY-MM-DD`, local time. */
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  credits: CreditsSchema,
  estimated: CreditsSchema,
  requests: z.int().check(z.nonnegative()),
});
export type CostDay = z.infer<typeof CostDaySchema>;

export const CostModelRowSchema = z.object({
  id: z.string().check(z.maxLength(300)),
  name: z.string().check(z.maxLength(300)),
  requests: z.int().check(z.nonnegative()),
  credits: CreditsSchema,
  estimated: CreditsSchema,
  inputTokens: z.number().check(z.nonnegative()),
  cacheReadTokens: z.number().check(z.nonnegative()),
  cacheWriteTokens: z.number().check(z.nonnegative()),
  outputTokens: z.number().check(z.nonnegative()),
  /** What prompt caching saved on this model (an estimate from list prices); absent when its prices are unknown. */
  cacheSaved: z.optional(CreditsSchema),
});
export type CostModelRow = z.infer<typeof CostModelRowSchema>;

export const CostRequestRowSchema = z.object({
  at: z.number(),
  model: z.string().check(z.maxLength(300)),
  modelName: z.string().check(z.maxLength(300)),
  /** Uncached input tokens (`input_tokens`). */
  inputTokens: z.number().check(z.nonnegative()),
  cacheReadTokens: z.number().check(z.nonnegative()),
  cacheWriteTokens: z.number().check(z.nonnegative()),
  outputTokens: z.number().check(z.nonnegative()),
  cost: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('billed'), credits: CreditsSchema }),
    z.object({ kind: z.literal('estimate'), credits: CreditsSchema }),
    z.object({ kind: z.literal('unknown') }),
  ]),
  source: CostSourceKindSchema,
  /** Readable source: "chat", "inline", "tool round", "VS Code chat", an extension id, "not recorded". */
  sourceLabel: z.string().check(z.maxLength(200)),
});
export type CostRequestRow = z.infer<typeof CostRequestRowSchema>;

/** Everything the cost view shows; also put in the page's `data-state` attribute for the first paint. */
export const CostViewDataSchema = z.object({
  /** When the host built it (ms). */
  at: z.number(),
  /** Since the last Reset Cost (all windows). */
  total: z.object({ credits: CreditsSchema, estimated: CreditsSchema, requests: z.int().check(z.nonnegative()), unknownRequests: z.int().check(z.nonnegative()) }),
  resetAt: z.optional(z.number()),
  /** The last 30 local days, oldest first, today last (Reset does not clear what was spent on a day). */
  days: z.array(CostDaySchema).check(z.maxLength(400)),
  /** Billed credits of those days together. */
  daysTotal: CreditsSchema,
  /** Per model since the last Reset, most credits first. */
  models: z.array(CostModelRowSchema).check(z.maxLength(1000)),
  /** Prompt caching since the last Reset: tokens and what it saved (reads at 0.1 ×, writes at 1.25 × the input price). */
  cache: z.object({
    readTokens: z.number().check(z.nonnegative()),
    writeTokens: z.number().check(z.nonnegative()),
    saved: CreditsSchema,
    /** Cache tokens of models whose prices are unknown: not in `saved`. */
    unpricedTokens: z.number().check(z.nonnegative()),
  }),
  /** The most recent requests of all windows, newest first. */
  recent: z.array(CostRequestRowSchema).check(z.maxLength(1000)),
});
export type CostViewData = z.infer<typeof CostViewDataSchema>;

// ---------------------------------------------------------------------------------------------
// Host → view

export const HostToCostViewSchema = z.discriminatedUnion('type', [
  /** Replace what the view shows (after `ready`, and whenever the ledger changes). */
  z.object({ type: z.literal('data'), data: CostViewDataSchema }),
]);
export type HostToCostView = z.infer<typeof HostToCostViewSchema>;

// ---------------------------------------------------------------------------------------------
// View → host

export const CostViewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Save the recent requests as CSV (the host asks where). */
  z.object({ type: z.literal('exportCsv') }),
  /** Reset Cost: the host asks for an explicit confirmation whose default is Cancel. */
  z.object({ type: z.literal('resetCost') }),
  /** Open the spending limit settings. */
  z.object({ type: z.literal('openLimits') }),
]);
export type CostViewToHost = z.infer<typeof CostViewToHostSchema>;
