// What the chat's tool loop needs from the host (the host implements it with VS Code's APIs) and what it stores.
import type { CommandCard, ToolChange, ToolState, TurnFileChange } from '../../common/chatTypes';
import type { ParsedToolCall, ToolName } from './definitions';

export interface ToolLimits {
  /** Read-only tools run without asking (files that look secret always ask). */
  autoApproveReadOnly: boolean;
  /** Tool rounds (answers with tool calls) per question before the loop pauses for Continue. */
  maxRounds: number;
  /** Billed credits per question before the loop pauses for Continue; 0 = no limit. */
  maxCreditsPerQuestion: number;
}

export interface ToolRunResult {
  /** What the model gets back. */
  content: string;
  isError?: boolean;
  /** The row's text, e.g. "Read src/a.ts:1–40", "Searched 'parseUrl' — 12 matches". */
  summary: string;
  /** A change applied with the user's edits: its real line counts (the row's badge shows them, not the proposal's). */
  applied?: { added: number; removed: number };
}

/** A checked call, ready to run once allowed. */
export interface PreparedToolCall {
  /** The row's text while it waits or runs, e.g. "Edit src/a.ts". */
  summary: string;
  /** The file looks secret: ask even for a read. */
  secret?: boolean;
  /** A read of one file: what "Allow for this chat" remembers (tool, path and the real file behind a link). */
  grantKey?: string;
  /** A proposed change (edit_file, create_file): shown on the approval card. */
  change?: ToolChange;
  /** run_command: the command and its parsed parts, shown on the card. */
  command?: CommandCard;
  /** run_command: fastrouter.tools.commandRules allow every part, so it runs without asking. */
  runsUnasked?: boolean;
  run(signal: AbortSignal, progress?: ToolProgress): Promise<ToolRunResult>;
}

/** The question a call answers: its user turn and conversation (checkpoints are kept per question). */
export interface ToolQuestion {
  id: string;
  conversationId: string;
}

/** What a running call shows in its row before it ends (a command's live output). */
export interface ToolProgress {
  output(text: string): void;
}

export interface ChatTools {
  /** Whether tools are offered now (the setting is on and the workspace is trusted). */
  enabled(): boolean;
  limits(): ToolLimits;
  /** Checks a call (paths, the edit's match) without changing anything; an `error` goes back to the model as is. */
  prepare(call: ParsedToolCall, context: { toolUseId: string; signal: AbortSignal; question?: ToolQuestion }): Promise<PreparedToolCall | { error: string; summary?: string }>;
  /** The call is decided or gone: forget what was prepared for it (e.g. the proposed text for Show Diff). */
  release?(toolUseId: string): void;
  /** Tools not offered here (run_command where no process can run). */
  omitted?(): ToolName[];
  /** The files a question's tools and commands changed, against before the question (from its checkpoint). */
  changes?(question: ToolQuestion): Promise<StoredFileChange[]>;
}

/** A file a question's tools and commands changed, as saved with its answer (the view's TurnFileChange, plus where). */
export interface StoredFileChange extends TurnFileChange {
  /** The absolute path (the diff opens it). */
  fsPath: string;
  /** The checkpoint of the file before the question (a content hash; null: it did not exist). */
  before: string | null;
}

/** A tool result as saved with the assistant message that asked for it (sent back in later requests). */
export interface StoredToolResult {
  toolUseId: string;
  content: string;
  isError?: boolean;
  /** For the view. */
  summary?: string;
  state: Extract<ToolState, 'done' | 'error' | 'applied' | 'rejected'>;
  change?: ToolChange;
}
