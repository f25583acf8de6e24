// A chat's journal (issue 16 §7): the lines a delta save appends (`<length> <crc32> <json>`, one changed exchange each,
// naming the base file's generation), and how a reader applies the whole records of its base's generation in order.
import type * as z from 'zod/mini';
import type { ConversationData } from './conversation';
import { crc32 } from '../storage/crc32';
import { JournalRecordSchema } from './storedConversation';

/** What a store knows the chat's files hold (after its last write or read of them): the ground for a delta save. */
export interface Shape {
  /** Generation of the base file (journal records name it). */
  gen: string;
  /** The exchange objects the caller's copy held then, in order (a delta needs the others to be these). */
  refs: readonly unknown[];
  baseSize: number;
  journalSize: number;
}

export type JournalRecord = z.infer<typeof JournalRecordSchema>;

/**
 * The journal lines of a delta save, or undefined when a delta cannot stand for this save: an exchange other than the
 * changed ones is not the object this store last wrote or read at its place, or one was removed or inserted.
 */
export function journalRecords(data: ConversationData, refs: readonly ConversationData['exchanges'][number][], shape: Shape, changed: ReadonlySet<string>): string | undefined {
  if (refs.length < shape.refs.length) return undefined;
  const known = new Set<string>();
  let lines = '';
  for (let i = 0; i < refs.length; i++) {
    const exchange = refs[i]!;
    const id = exchange.answer.id;
    const before = shape.refs[i] as ConversationData['exchanges'][number] | undefined;
    if (before) {
      if (before.answer.id !== id) return undefined;
      // Not named as changed: it must be the very object last written or read (unchanged, by the caller's promise).
      if (!changed.has(id)) {
        if (exchange !== before) return undefined;
        known.add(id);
        continue;
      }
    } else if (!changed.has(id) || known.has(id)) {
      return undefined;
    }
    known.add(id);
    const record = JSON.stringify({ gen: shape.gen, title: data.title, updatedAt: data.updatedAt, ...(data.removed?.length ? { removed: data.removed } : {}), ...(data.compactions?.length ? { compactions: data.compactions } : {}), exchange });
    lines += `\n${record.length} ${crc32(record).toString(16).padStart(8, '0')} ${record}\n`;
  }
  return lines;
}

/** The whole records of generation `gen`, in order; a line cut short, damaged, or of another generation is skipped. */
export function readJournal(text: string, gen: string): { records: JournalRecord[]; dropped: number } {
  const records: JournalRecord[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^(\d+) ([0-9a-f]{8}) /.exec(line);
    const json = match ? line.slice(match[0].length) : '';
    if (!match || json.length !== Number(match[1]) || crc32(json) !== parseInt(match[2]!, 16)) {
      dropped++;
      continue;
    }
    let record: ReturnType<typeof JournalRecordSchema.safeParse>;
    try {
      record = JournalRecordSchema.safeParse(JSON.parse(json));
    } catch {
      dropped++;
      continue;
    }
    if (!record.success) dropped++;
    else if (record.data.gen === gen) records.push(record.data);
  }
  return { records, dropped };
}

/** The base with the records applied in order: each exchange replaces the one with its answer id, or comes last. */
export function applyJournal(base: ConversationData, records: readonly JournalRecord[]): ConversationData {
  const exchanges = base.exchanges.slice();
  const at = new Map(exchanges.map((e, i) => [e.answer.id, i]));
  const removed = new Set(base.removed ?? []);
  let { title, updatedAt } = base;
  let compactions = base.compactions;
  for (const record of records) {
    if (record.compactions) compactions = record.compactions as unknown as ConversationData['compactions'];
    const exchange = record.exchange as unknown as ConversationData['exchanges'][number];
    const i = at.get(exchange.answer.id);
    if (i === undefined) at.set(exchange.answer.id, exchanges.push(exchange) - 1);
    else exchanges[i] = exchange;
    title = record.title;
    updatedAt = Math.max(updatedAt, record.updatedAt);
    for (const id of record.removed ?? []) removed.add(id);
  }
  return {
    ...base,
    title,
    updatedAt,
    exchanges: exchanges.filter((e) => !removed.has(e.answer.id)),
    ...(removed.size > 0 ? { removed: [...removed] } : {}),
    ...(compactions?.length ? { compactions } : {}),
  };
}
