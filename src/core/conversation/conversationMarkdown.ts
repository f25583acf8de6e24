// Export of a conversation as a Markdown document (opened untitled; the user decides where it goes).
import { lineRange, metaLine } from '../../common/credits';
import type { AnswerBlock, AssistantTurn, Turn } from '../../common/chatTypes';

/** A fence longer than any backtick run inside `text`, so code containing fences stays intact. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function quote(text: string): string {
  return text.split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
}

function blockMarkdown(block: AnswerBlock): string {
  switch (block.kind) {
    case 'text':
      return block.text.trim();
    case 'thinking':
      return block.redacted ? '> *(thinking redacted)*' : block.text.trim() ? `> **Thinking**\n>\n${quote(block.text.trim())}` : '';
    case 'tool_use': {
      const fence = fenceFor(block.input);
      const state = block.state ? ` *(${TOOL_STATE_NOTE[block.state]})*` : '';
      const change = block.change ? ` (+${block.change.added} −${block.change.removed})` : '';
      const head = block.summary ? `**${block.summary}**${change}${state} — tool \`${block.name}\`` : `Tool use \`${block.name}\`${state}`;
      const parts = [`${head}:`, `${fence}json\n${block.input}\n${fence}`];
      if (block.result !== undefined) {
        const resultFence = fenceFor(block.result);
        parts.push(`Result:\n\n${resultFence}text\n${block.result}\n${resultFence}`);
      }
      return parts.join('\n\n');
    }
    case 'opaque':
      return `*(${block.label.replace(/[\\`*_[\]<>]/g, '\\$&')})*`;
  }
}

const TOOL_STATE_NOTE: Record<NonNullable<Extract<AnswerBlock, { kind: 'tool_use' }>['state']>, string> = {
  pending: 'not run',
  running: 'running',
  approval: 'waiting for approval',
  done: 'done',
  error: 'error',
  applied: 'applied',
  rejected: 'rejected',
};

const STATUS_NOTE: Record<string, string> = {
  stopped: '*(stopped)*',
  error: '*(failed)*',
  interrupted: '*(unfinished: interrupted)*',
  streaming: '*(still answering)*',
};

/**
 * One answer as Markdown for the clipboard (Copy): its text as the model wrote it, a line per tool call or server tool;
 * thinking, meta and status notes are left out.
 */
export function answerToMarkdown(turn: AssistantTurn): string {
  const parts = turn.blocks.map((block) => {
    if (block.kind === 'thinking') return '';
    if (block.kind === 'tool_use') {
      const change = block.change ? ` (+${block.change.added} −${block.change.removed})` : '';
      return `*${(block.summary ?? `Tool ${block.name}`).replace(/[\\`*_[\]<>]/g, '\\$&')}${change}*`;
    }
    return blockMarkdown(block);
  });
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}

export function conversationToMarkdown(title: string, turns: readonly Turn[]): string {
  const out: string[] = [`# ${title}`];
  for (const turn of turns) {
    if (turn.role === 'user') {
      const parts = ['## You', turn.text.trim()];
      for (const item of turn.context) {
        const where = `\`${item.path}\`${item.startLine !== undefined ? ` ${lineRange(item.startLine, item.endLine)}` : ''}`;
        if (item.omitted) {
          parts.push(`*(${where}: removed from the conversation)*`);
          continue;
        }
        const fence = fenceFor(item.text);
        parts.push(`${where}:\n\n${fence}${item.languageId}\n${item.text}\n${fence}`);
      }
      if (turn.images.length) parts.push(`*(${turn.images.length} image${turn.images.length > 1 ? 's' : ''}: ${turn.images.map((i) => i.name).join(', ')})*`);
      out.push(parts.filter(Boolean).join('\n\n'));
    } else {
      const parts = ['## Assistant', ...turn.blocks.map(blockMarkdown)];
      if (STATUS_NOTE[turn.status]) parts.push(STATUS_NOTE[turn.status]);
      if (turn.error) parts.push(`*Error: ${turn.error.message}*`);
      if (turn.paused) parts.push(`*${turn.paused}*`);
      if (turn.meta) parts.push(`*${metaLine(turn.meta)}*`);
      out.push(parts.filter(Boolean).join('\n\n'));
      // The turns above stay in the export; later questions were sent with this summary in their place.
      if (turn.compaction?.state === 'done') out.push(`---\n\n*Compacted here: later questions were sent with this summary instead of the turns above.*\n\n${quote(turn.compaction.summary.trim())}\n\n---`);
    }
  }
  return `${out.join('\n\n')}\n`;
}
