// The tool loop's rules and one round of it: each call of a round is checked, waits for Apply / Reject when the policy
// says so, runs, and its result is saved as soon as it is there. What may run without asking and when the loop pauses
// for Continue is the ToolPolicy: new kinds of calls (commands) and new bounds (checkpoints, loop detection) plug in there.
import type { ToolUseBlock } from '../../api';
import { describeCall, parseToolCall, READ_ONLY_TOOLS, type ParsedToolCall } from '../tools/definitions';
import type { ChatTools, PreparedToolCall, StoredToolResult, ToolLimits, ToolQuestion } from '../tools/types';
import type { ToolView } from './conversationAnswer';

/** What goes back to the model when the user turns a call down or stops while its card waits. */
export const TOOL_DECLINED = {
  change: 'The user declined this change: the file was not changed. Ask what they want instead, or continue without it.',
  read: 'The user declined to let you read this file.',
  command: 'The user declined to run this command: it was not run. Ask what they want instead, or continue without it.',
  stopped: 'The user stopped the answer before deciding: nothing was changed.',
} as const;

/** A call the loop did not get to because the user pressed Stop. */
const NOT_RUN_STOPPED = 'This tool call was not run: the user stopped the answer.';

/**
 * Reads the user allowed for the rest of one chat ("Allow for this chat"): kept in memory for that conversation only,
 * never saved, so a reload or another window asks again. A key names one tool on one file (its path and the real
 * file behind a link), see `grantKey`.
 */
export type ChatGrants = Set<string>;

/** Whether a call waits for the user, and what its card says about why. */
export type ApprovalRule = (call: ParsedToolCall, prepared: PreparedToolCall, limits: () => ToolLimits, grants?: ReadonlySet<string>) => { ask: boolean; reason?: string };

/**
 * What "Allow for this chat" remembers for a read: the host's key (tool, path and real path of the file) or, for a
 * read without a file (a search while autoApproveReadOnly is off), that exact call. Null for changes and commands:
 * they are never remembered.
 */
export function grantKey(call: ParsedToolCall, prepared: PreparedToolCall): string | null {
  if (!READ_ONLY_TOOLS.has(call.name) || prepared.change || prepared.command) return null;
  return prepared.grantKey ?? `${call.name}\u0000${stableJson(call.input)}`;
}

/** Where one question's tool loop stands after a round of results. */
export interface ToolLoopProgress {
  /** Rounds of tool calls answered so far in this question (this run). */
  rounds: number;
  /** Credits billed so far in this question (this run); estimates are not counted. */
  billedCredits: number;
  /** Every tool call of this question so far (this run), in order: loop detection looks for repeats. */
  calls?: readonly { name: string; input: unknown }[];
}

/** Why the loop pauses for Continue after this round, or undefined to go on. */
export type PauseRule = (progress: ToolLoopProgress, limits: ToolLimits) => string | undefined;

/**
 * The tool loop's seam: whether a call asks first, and whether the loop pauses after a round. The first pause rule
 * that answers wins. Add a rule here (run_command's approval, a checkpoint, loop detection); the loop stays as it is.
 */
export interface ToolPolicy {
  approval: ApprovalRule;
  pauseRules: readonly PauseRule[];
}

function roundCredits(credits: number): string {
  return String(Math.round(credits * 10000) / 10000);
}

/**
 * Changes always ask; reads ask when the file looks secret or read-only tools are not auto-approved; a command asks
 * unless fastrouter.tools.commandRules allow every part of it (the host judged that when it prepared the call).
 */
export const askBeforeChangesAndSecrets: ApprovalRule = (call, prepared, limits, grants) => {
  if (call.name === 'run_command') return { ask: prepared.runsUnasked !== true };
  const key = grantKey(call, prepared);
  if (key !== null && grants?.has(key)) return { ask: false };
  const ask = !READ_ONLY_TOOLS.has(call.name) || prepared.secret === true || !limits().autoApproveReadOnly;
  const reason = ask && prepared.secret ? 'This file may hold secrets: it is read only if you allow it.' : undefined;
  return reason ? { ask, reason } : { ask };
};

export const pauseAtMaxRounds: PauseRule = ({ rounds }, limits) =>
  rounds >= limits.maxRounds
    ? `Paused after ${rounds} round${rounds === 1 ? '' : 's'} of tool use (fastrouter.tools.maxRounds is ${limits.maxRounds}). Continue goes on.`
    : undefined;

export const pauseAtMaxCredits: PauseRule = ({ billedCredits }, limits) =>
  limits.maxCreditsPerQuestion > 0 && billedCredits >= limits.maxCreditsPerQuestion
    ? `Paused: this question has cost ${roundCredits(billedCredits)} credits (fastrouter.tools.maxCreditsPerQuestion is ${limits.maxCreditsPerQuestion}). Continue goes on.`
    : undefined;

/** The same call (same tool, same input) this many times in one question pauses the loop: it is going nowhere. */
export const REPEATED_CALL_LIMIT = 3;

/** Loop detection: the model asked for exactly the same thing a third time in this question. */
export const pauseOnRepeatedCall: PauseRule = ({ calls }) => {
  if (!calls || calls.length < REPEATED_CALL_LIMIT) return undefined;
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = `${call.name}\u0000${stableJson(call.input)}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count >= REPEATED_CALL_LIMIT) {
      const parsed = parseToolCall(call.name, call.input);
      const what = parsed.ok ? describeCall(parsed.call) : call.name;
      return `Claude asked for the same thing three times (${what}): paused so it does not go round in circles. Continue goes on.`;
    }
  }
  return undefined;
};

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same input. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

export const defaultToolPolicy: ToolPolicy = {
  approval: askBeforeChangesAndSecrets,
  pauseRules: [pauseOnRepeatedCall, pauseAtMaxRounds, pauseAtMaxCredits],
};

/** The first pause rule's reason, if any. */
export function pauseReason(policy: ToolPolicy, progress: ToolLoopProgress, limits: ToolLimits): string | undefined {
  for (const rule of policy.pauseRules) {
    const reason = rule(progress, limits);
    if (reason) return reason;
  }
  return undefined;
}

/** `allowForChat`: a read allowed now and for the rest of this chat (the same file is not asked about again). */
export type ToolDecision = 'apply' | 'allowForChat' | 'reject' | 'stopped';

/** Approval cards waiting for the user in one answer: tool_use id → resolves with the decision. */
export class ToolApprovals {
  private readonly waiting = new Map<string, (decision: ToolDecision) => void>();

  /** Waits for Apply / Reject on a call's card; Stop (or closing) answers 'stopped'. */
  wait(toolUseId: string, signal: AbortSignal): Promise<ToolDecision> {
    if (signal.aborted) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      const onAbort = () => done('stopped');
      const done = (decision: ToolDecision) => {
        this.waiting.delete(toolUseId);
        signal.removeEventListener('abort', onAbort);
        resolve(decision);
      };
      this.waiting.set(toolUseId, done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The user's decision on a waiting card; false when no card waits for that call. */
  decide(toolUseId: string, decision: 'apply' | 'allowForChat' | 'reject'): boolean {
    const decide = this.waiting.get(toolUseId);
    if (!decide) return false;
    decide(decision);
    return true;
  }

  pending(): string[] {
    return [...this.waiting.keys()];
  }
}

/** What a round needs from the answer it runs in. */
export interface ToolRound {
  tools: ChatTools;
  policy: ToolPolicy;
  approvals: ToolApprovals;
  signal: AbortSignal;
  /** Reads allowed for the rest of this chat; "Allow for this chat" adds to it. */
  grants?: ChatGrants;
  /** The question the round answers (checkpoints are kept per question). */
  question?: ToolQuestion;
  /** Tool calls waiting or running, as the view shows them (a call's result is in its message once it has one). */
  views: Map<string, ToolView>;
  /** Sends the call's row as it is now. */
  show(toolUseId: string): void;
  /** A result was added: save soon. */
  changed(): void;
}

function pendingSummary(call: ToolUseBlock): string {
  const parsed = parseToolCall(call.name, call.input);
  return parsed.ok ? describeCall(parsed.call) : call.name;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tool calls that propose a change: prepared together, so several cards wait at once (Apply All / Reject All). */
const CHANGE_TOOLS = new Set(['edit_file', 'create_file']);

/**
 * Runs a round's tool calls in the order the model made them, adding each result to `results` as soon as it is there.
 * The round's proposed changes are prepared first (preparing changes nothing), so their cards wait together and the
 * user may decide them in any order; each still runs in the model's order. One whose preparation fails then (it may
 * depend on an earlier edit of the round) is prepared again in its turn.
 */
export async function runToolRound(round: ToolRound, calls: readonly ToolUseBlock[], results: StoredToolResult[]): Promise<void> {
  for (const call of calls) round.views.set(call.id, { state: 'pending', summary: pendingSummary(call) });
  for (const call of calls) round.show(call.id);
  const early = new Map<string, Asked>();
  if (calls.filter((c) => CHANGE_TOOLS.has(c.name)).length > 1) {
    for (const call of calls) {
      if (!CHANGE_TOOLS.has(call.name) || round.signal.aborted) continue;
      const asked = await prepareAndAsk(round, call);
      if (asked) early.set(call.id, asked);
      else {
        round.views.set(call.id, { state: 'pending', summary: pendingSummary(call) });
        round.show(call.id);
      }
    }
  }
  for (const call of calls) {
    const asked = early.get(call.id);
    const result: StoredToolResult = round.signal.aborted && !asked
      ? { toolUseId: call.id, content: NOT_RUN_STOPPED, isError: true, state: 'error', summary: `${pendingSummary(call)} (not run: stopped)` }
      : asked ? await finishTool(round, call, asked) : await runTool(round, call);
    results.push(result);
    round.views.delete(call.id);
    round.tools.release?.(call.id);
    round.show(call.id);
    round.changed();
  }
}

/** A prepared call whose card waits (or that needs no approval). */
interface Asked {
  prepared: PreparedToolCall;
  /** What "Allow for this chat" remembers for this call (null: a change, never remembered). */
  grant: string | null;
  decision?: Promise<ToolDecision>;
}

/** Prepares `call` and shows its card; undefined when that failed (it is prepared again in its turn). */
async function prepareAndAsk(round: ToolRound, call: ToolUseBlock): Promise<Asked | undefined> {
  const parsed = parseToolCall(call.name, call.input);
  if (!parsed.ok) return undefined;
  let prepared: PreparedToolCall | { error: string; summary?: string };
  try {
    prepared = await round.tools.prepare(parsed.call, { toolUseId: call.id, signal: round.signal });
  } catch {
    return undefined;
  }
  if ('error' in prepared) return undefined;
  const change = prepared.change;
  const approval = round.policy.approval(parsed.call, prepared, () => round.tools.limits(), round.grants);
  const grant = grantKey(parsed.call, prepared);
  if (!approval.ask) return { prepared, grant };
  round.views.set(call.id, { state: 'approval', summary: prepared.summary, ...(change ? { change } : {}), ...(approval.reason ? { reason: approval.reason } : {}) });
  round.show(call.id);
  return { prepared, grant, decision: round.approvals.wait(call.id, round.signal) };
}

async function finishTool(round: ToolRound, call: ToolUseBlock, asked: Asked): Promise<StoredToolResult> {
  const { prepared } = asked;
  const change = prepared.change;
  if (asked.decision) {
    const decision = await asked.decision;
    if (decision === 'allowForChat' && asked.grant !== null) round.grants?.add(asked.grant);
    if (decision !== 'apply' && decision !== 'allowForChat') {
      const content = decision === 'stopped' ? TOOL_DECLINED.stopped : change ? TOOL_DECLINED.change : TOOL_DECLINED.read;
      return { toolUseId: call.id, content, isError: true, state: 'rejected', summary: prepared.summary, ...(change ? { change } : {}) };
    }
  }
  round.views.set(call.id, { state: 'running', summary: prepared.summary, ...(change ? { change } : {}) });
  round.show(call.id);
  try {
    const result = await prepared.run(round.signal);
    const state = result.isError ? 'error' : change ? 'applied' : 'done';
    return { toolUseId: call.id, content: result.content, ...(result.isError ? { isError: true } : {}), state, summary: result.summary, ...(change ? { change: { ...change, ...result.applied } } : {}) };
  } catch (error) {
    return { toolUseId: call.id, content: `${call.name} failed: ${errorText(error)}`, isError: true, state: 'error', summary: `${prepared.summary} (failed)` };
  }
}

async function runTool(round: ToolRound, call: ToolUseBlock): Promise<StoredToolResult> {
  const { tools, signal } = round;
  const id = call.id;
  const setView = (view: ToolView): void => {
    round.views.set(id, view);
    round.show(id);
  };
  const fail = (content: string, summary: string): StoredToolResult => ({ toolUseId: id, content, isError: true, state: 'error', summary });
  const parsed = parseToolCall(call.name, call.input);
  // Bad input from the model is its to fix: the error says what was wrong.
  if (!parsed.ok) return fail(parsed.error, `${call.name}: invalid input`);
  const summary = describeCall(parsed.call);
  setView({ state: 'running', summary });
  let prepared: PreparedToolCall | { error: string; summary?: string };
  try {
    prepared = await tools.prepare(parsed.call, { toolUseId: id, signal, ...(round.question ? { question: round.question } : {}) });
  } catch (error) {
    return fail(`${call.name} failed: ${errorText(error)}`, `${summary} (failed)`);
  }
  if ('error' in prepared) return fail(prepared.error, prepared.summary ?? `${summary} (failed)`);
  const change = prepared.change;
  const command = prepared.command;
  const approval = round.policy.approval(parsed.call, prepared, () => tools.limits(), round.grants);
  if (approval.ask) {
    setView({ state: 'approval', summary: prepared.summary, ...(change ? { change } : {}), ...(command ? { command } : {}), ...(approval.reason ? { reason: approval.reason } : {}) });
    const decision = await round.approvals.wait(id, signal);
    // Only a read is remembered; the button is not offered on a change or a command, and a forged one allows it once.
    const grant = grantKey(parsed.call, prepared);
    if (decision === 'allowForChat' && grant !== null) round.grants?.add(grant);
    if (decision !== 'apply' && decision !== 'allowForChat') {
      const content = decision === 'stopped' ? TOOL_DECLINED.stopped : change ? TOOL_DECLINED.change : command ? TOOL_DECLINED.command : TOOL_DECLINED.read;
      return { toolUseId: id, content, isError: true, state: 'rejected', summary: prepared.summary, ...(change ? { change } : {}) };
    }
  }
  if (approval.ask || command) setView({ state: 'running', summary: prepared.summary, ...(change ? { change } : {}), ...(command ? { command } : {}) });
  // A command's live output goes into its row (the host sends it at most a few times a second).
  const progress = { output: (output: string) => setView({ state: 'running', summary: prepared.summary, ...(command ? { command } : {}), output }) };
  try {
    const result = await prepared.run(signal, progress);
    const state = result.isError ? 'error' : change ? 'applied' : 'done';
    return { toolUseId: id, content: result.content, ...(result.isError ? { isError: true } : {}), state, summary: result.summary, ...(change ? { change } : {}) };
  } catch (error) {
    return fail(`${call.name} failed: ${errorText(error)}`, `${prepared.summary} (failed)`);
  }
}
