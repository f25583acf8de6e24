// A child process for the fault suite's kill tests: it writes in a loop and prints `committed N` after each write
// the store or ledger reported as done, until the parent SIGKILLs it at a random point. Run with
// `node --import tsx test/support/faultChild.ts MODE DIR`.
//   save    appends one exchange to the chat `chat` and saves it, over and over (N = exchanges saved)
//   journal like save, but as the chat saves while an answer streams: the question, then the answer growing in three
//           saves that append only that exchange to the journal (the last one at the answer's end, which may fold the
//           journal into the file); N = exchanges whose answer was saved done
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
  if (mode === 'journal') {
    const store = new ConversationStore(dir!);
    const loaded = await store.load('chat');
    const chat = loaded ? new Conversation(loaded) : Conversation.create('chat', Date.now());
    if (!loaded) {
      for (let i = 0; i < 40; i++) {
        const e = chat.addExchange({ text: `seed ${i} ${'s'.repeat(200)}` }, { user: `su${i}`, answer: `sa${i}` }, Date.now());
        e.answer.status = 'done';
        e.answer.messages = [{ content: [{ type: 'text', text: `seed answer ${i} ${'t'.repeat(2000)}` }], complete: true }];
      }
      await store.save(chat.toData());
    }
    say('ready');
    for (let i = chat.exchanges.length; ; i++) {
      const e = chat.addExchange({ text: `question ${i} ${'x'.repeat(200)}` }, { user: `u${i}`, answer: `a${i}` }, Date.now());
      await store.save(chat.toData(), { changed: [e.answer.id] });
      for (let k = 1; k <= 3; k++) {
        e.answer.messages = [{ content: [{ type: 'text', text: `answer ${i} ${'y'.repeat(500 * k)}` }], complete: k === 3 }];
        if (k === 3) e.answer.status = 'done';
        await store.save(chat.toData(), { changed: [e.answer.id], compact: k === 3 });
      }
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
