// What checkpoints keep and hand out: the limits, the index's records (each question's files before → after, the last
// Restore for Redo), the workspace snapshot, and Restore's plan and summary. Types only, besides the limits.
import type { FileLockOptions } from '../conversation/fileLock';

export const MAX_SNAPSHOT_BYTES = 1024 * 1024;
export const MAX_QUESTIONS = 50;
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** An unreferenced blob younger than this is kept by prune: another window may be about to refer to it. */
export const BLOB_GRACE_MS = 60 * 60 * 1000;

/** A file's content hash, or null: the file did not exist. */
export type Content = string | null;

export interface FileChange {
  before: Content;
  after: Content;
  /**
   * The tool edited a document with unsaved changes (the edit went into the editor, not the file): the editor's text
   * (a hash of its UTF-8) before the question's first edit and after its last. `before`/`after` stay the file on disk.
   */
  buffer?: { before: string; after: string };
}

export interface QuestionCheckpoint {
  /** The question's user turn id. */
  id: string;
  conversationId: string;
  at: number;
  /** Absolute path → what it was before the question's first tool write and after its last. */
  files: Record<string, FileChange>;
}

export interface RedoRecord {
  conversationId: string;
  questionId: string;
  /** Path → state before the Restore (`before`) and what Restore wrote (`after`). */
  files: Record<string, FileChange>;
  /** The question checkpoints the Restore took away (they come back with Redo). */
  questions: QuestionCheckpoint[];
  /** A blob the chat keeps with the Restore (the conversation's turns it took out), for a Redo after a reload. */
  payload?: string;
}

export interface IndexData {
  version: 1;
  questions: QuestionCheckpoint[];
  redo?: RedoRecord;
}

/** Path → [size, mtimeMs, ctimeMs, ino, hash]: a file whose stat is unchanged is not read again. */
export type Stats = Record<string, [number, number, number, number, string]>;

export interface CheckpointOptions {
  /** The store's folder (in the extension's workspace storage). */
  dir: string;
  /** The workspace folders a command's snapshot covers. */
  roots: () => readonly string[];
  /** files.exclude of a folder: whether a folder-relative path (forward slashes) is hidden. */
  excluded?: (root: string, relative: string) => boolean;
  now?: () => number;
  maxQuestions?: number;
  maxAgeMs?: number;
  /** The index lock (tests shorten it). */
  lock?: FileLockOptions;
  /** BLOB_GRACE_MS unless given (tests: 0). */
  blobGraceMs?: number;
}

/** The workspace's files at one moment: path → content hash. */
export type Snapshot = Map<string, string>;

/** Open documents with unsaved changes: path → hash of the editor's text (UTF-8). */
export type Buffers = ReadonlyMap<string, string>;

export interface RestoreItem {
  path: string;
  /** What Restore writes (null: delete the file). */
  target: Content;
  /** What tools left there: anything else means the user changed it since. */
  expected: Content;
  current: Content;
  conflict: boolean;
  /** The editor text to put back, unsaved (the user's unsaved text from before the question), when there was one. */
  text?: string;
  /** The editor text now (unsaved changes), for the diff of a conflict. */
  currentText?: string;
}

export interface RestoreSummary {
  restored: string[];
  deleted: string[];
  /** Conflicting files the user chose to keep. */
  kept: string[];
  /** Editors whose unsaved text is to be put back (path → text hash): the host sets them, unsaved. */
  texts: { path: string; text: string }[];
  /** Files that could not be written (a full disk, no permission, damaged checkpoint content): left as they were. */
  failed?: { path: string; reason: string }[];
}

/** A file a question changed, for the line under its answer ("Changed 3 files +40 −12"). */
export interface QuestionFileChange {
  path: string;
  /** Before the question (null: it did not exist; for an edit into unsaved changes, the editor's text then). */
  before: Content;
  /** Now (null: deleted). */
  now: Content;
  added: number;
  removed: number;
}
