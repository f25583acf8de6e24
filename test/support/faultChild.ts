// A child process for the fault suite's kill tests: it writes in a loop and prints `committed N` after each write
// the store or ledger reported as done, until the parent SIGKILLs it at a random point. Run with
// `node --import tsx test/support/faultChild.ts MODE DIR`.
//   save    appends one exchange to the chat `chat` and saves it, over and over (N = exchanges saved)
//   delete  deletes the chats `c0`, `c1`, … one by one (N = chats deleted)
//   ledger  records one request after another in DIR/cost-ledger.jsonl (N = records written)
import { join } from 'node:path';
import { Conversation } from '../../src/core/conversation/conversation';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { CostLedger } from '../../src/core/cost/costLedger';

const [mode, dir] = process.argv.slice(2);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (mode === 'save') {
    const store = new ConversationStore(dir!);
    const loaded = await store.load('chat');
    const chat = loaded ? new Conversation(loaded) : Conversation.create('chat', Date.now());
    say('ready');
    for (let i = chat.exchanges.length; ; i++) {
      const e = chat.addExchange({ text: `question ${i} ${'x'.repeat(200)}` }, { user: `u${i}`, answer: `a${i}` }, Date.now());
      e.answer.status = 'done';
      e.answer.messages = [{ content: [{ type: 'text', text: `answer ${i} ${'y'.repeat(2000)}` }], complete: true }];
      await store.save(chat.toData());
      say(`committed ${chat.exchanges.length}`);
    }
  }
  if (mode === 'delete') {
    const store = new ConversationStore(dir!);
    say('ready');
    for (let i = 0; ; i++) {
      await store.delete(`c${i}`);
      say(`committed ${i + 1}`);
    }
  }
  if (mode === 'ledger') {
    const ledger = new CostLedger(join(dir!, 'cost-ledger.jsonl'), `child-${process.pid}`);
    say('ready');
    for (let i = 1; ; i++) {
      if (!ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.001, requestId: `r${i}` })) process.exit(3);
      say(`committed ${i}`);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

void main();
