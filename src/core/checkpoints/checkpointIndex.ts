// Reading the checkpoint index (index.json) back: every record is checked, since Restore and Redo act on it. A damaged
// record is dropped and the rest kept: a question whose id, chat or time is not one, a file entry whose contents are
// not sha-256 hashes (a blob's name is made from its hash, so nothing else may reach a path), a Redo that is not whole.
import { isFiniteNumber, isObject } from '../storage/readBack';
import type { Content, FileChange, IndexData, QuestionCheckpoint, RedoRecord } from './checkpointTypes';

const EMPTY: IndexData = { version: 1, questions: [] };

/** The index in `text`; an empty index when it is no index at all (its blobs are then pruned as unreferenced). */
export function parseIndex(text: string): IndexData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ...EMPTY, questions: [] };
  }
  if (!isObject(value) || value.version !== 1 || !Array.isArray(value.questions)) return { ...EMPTY, questions: [] };
  const questions = value.questions.map(questionFrom).filter((q): q is QuestionCheckpoint => q !== undefined);
  const redo = redoFrom(value.redo);
  return redo ? { version: 1, questions, redo } : { version: 1, questions };
}

const isHash = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
const isContent = (x: unknown): x is Content => x === null || isHash(x);

function fileFrom(x: unknown): FileChange | undefined {
  if (!isObject(x) || !isContent(x.before) || !isContent(x.after)) return undefined;
  if (x.buffer === undefined) return { before: x.before, after: x.after };
  if (!isObject(x.buffer) || !isHash(x.buffer.before) || !isHash(x.buffer.after)) return undefined;
  return { before: x.before, after: x.after, buffer: { before: x.buffer.before, after: x.buffer.after } };
}

function filesFrom(x: unknown): Record<string, FileChange> | undefined {
  if (!isObject(x)) return undefined;
  const files: Record<string, FileChange> = {};
  for (const [path, change] of Object.entries(x)) {
    const kept = fileFrom(change);
    if (kept) files[path] = kept;
  }
  return files;
}

function questionFrom(x: unknown): QuestionCheckpoint | undefined {
  if (!isObject(x) || typeof x.id !== 'string' || typeof x.conversationId !== 'string' || !isFiniteNumber(x.at)) return undefined;
  const files = filesFrom(x.files);
  return files ? { id: x.id, conversationId: x.conversationId, at: x.at, files } : undefined;
}

function redoFrom(x: unknown): RedoRecord | undefined {
  if (!isObject(x) || typeof x.conversationId !== 'string' || typeof x.questionId !== 'string' || !Array.isArray(x.questions)) return undefined;
  const files = filesFrom(x.files);
  const questions = x.questions.map(questionFrom);
  // A Redo puts back exactly what its Restore took: a part of it missing would make it a different change.
  if (!files || Object.keys(files).length !== Object.keys(x.files as object).length || questions.some((q) => q === undefined)) return undefined;
  if (x.payload !== undefined && !isHash(x.payload)) return undefined;
  const redo: RedoRecord = { conversationId: x.conversationId, questionId: x.questionId, files, questions: questions as QuestionCheckpoint[] };
  if (x.payload !== undefined) redo.payload = x.payload;
  return redo;
}
