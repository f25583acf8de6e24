// CSS highlighting in the chat: our compact grammar (src/webviews/chat/cssGrammar.ts) side by side with highlight.js's
// own CSS grammar (the baseline), on real style sheets and on the inputs that make a regular expression go quadratic
// (a long run of `-`, a long word before `(` or `:`, a 200 KB selector list). Model output is untrusted: any of these
// can arrive in a code block, up to MAX_HIGHLIGHT_CHARS. Medians of repeated runs; numbers only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import hljs from 'highlight.js/lib/core';
import hljsCss from 'highlight.js/lib/languages/css';
import ours from '../src/webviews/chat/cssGrammar';

hljs.registerLanguage('ours', ours);
hljs.registerLanguage('hljs', hljsCss);

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function time(rounds: number, code: string, language: string): number {
  hljs.highlight(code, { language, ignoreIllegals: true }); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    hljs.highlight(code, { language, ignoreIllegals: true });
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** `options` is run.ts's BenchRunOptions (only `rounds` is read); not imported: this file is in the webview program. */
export async function benchHighlight(options: { rounds?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 5;
  const sheet = readFileSync(join(__dirname, '..', 'src', 'webviews', 'chat', 'chat.css'), 'utf8');
  const minified = sheet.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ');
  const inputs: Array<[string, string]> = [
    ['chat.css (a real style sheet)', sheet],
    ['chat.css minified ×10, one line', minified.repeat(10)],
    ['40,000 "-"', '-'.repeat(40_000)],
    ['40,000 "-" in a rule', `a{${'-'.repeat(40_000)}}`],
    ['a 40,000-character word in a value', `a{b: ${'x'.repeat(40_000)}}`],
    ['200 KB selector list "a:hover," then "{"', `${'a:hover,'.repeat(25_000)}b{}`],
    ['200 KB selector list, no "{" yet (streaming)', 'a:hover,'.repeat(25_000)],
  ];
  console.log('CSS highlighting (median ms; ours vs highlight.js\'s grammar)');
  for (const [name, code] of inputs) {
    const a = time(rounds, code, 'ours');
    const b = time(rounds, code, 'hljs');
    console.log(`  ${name.padEnd(46)} ${(code.length / 1024).toFixed(0).padStart(4)} KB  ours ${a.toFixed(1).padStart(8)}  highlight.js ${b.toFixed(1).padStart(8)}  ratio ${(a / b).toFixed(2)}`);
  }
}
