// The files a conversation is about, for the glob and nested rules: attached selections and files, and the paths the
// workspace tools were called with. Pure. Paths are display paths (workspace-relative; multi-root: "folder/…").
import type { Exchange } from '../conversation/conversation';

export function filesOfConversation(exchanges: readonly Exchange[]): string[] {
  const out = new Set<string>();
  for (const exchange of exchanges) {
    for (const item of exchange.user.context ?? []) if (item.kind !== 'problems' && !item.omitted) out.add(item.path);
    for (const message of exchange.answer.messages) {
      for (const block of message.content) {
        if (block.type !== 'tool_use') continue;
        const input = block.input as { path?: unknown } | null;
        if (input && typeof input.path === 'string' && input.path !== '') out.add(input.path);
      }
    }
  }
  return [...out];
}
