// Project rules and the context window: rule discovery in a 5,000-file workspace (on first use, never at activation;
// the Node walk stands in for VS Code's findFiles, as in bench/tools.ts), and the work per question (which rules apply,
// the system text). Medians of repeated runs; numbers only.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRules, rulesInEffect, rulesSystemText, type RuleFile } from '../src/core/context/rules';
import { ruleFormatOf } from '../src/core/context/rulesFormat';
import { formatTokenCount, previewWithDraft } from '../src/common/tokenCount';
import type { RequestEstimate } from '../src/common/chatTypes';
import type { BenchRunOptions } from './run';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A monorepo: 50 packages × 100 files, an AGENTS.md per package, one of each other format at the root, node_modules. */
function makeWorkspace(root: string): number {
  let files = 0;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
    files++;
  };
  for (let p = 0; p < 50; p++) {
    write(`packages/p${p}/AGENTS.md`, `# Package ${p}\n\n${'Keep handlers small and validate input. '.repeat(20)}\n`);
    for (let f = 0; f < 99; f++) write(`packages/p${p}/src/f${f}.ts`, `export const v${f} = ${f};\n`.repeat(20));
  }
  write('AGENTS.md', '# Project\n\nUse pnpm.\n'.repeat(50));
  write('CLAUDE.md', 'Run the tests before you say it is done.\n'.repeat(30));
  write('.github/copilot-instructions.md', 'Prefer small functions.\n'.repeat(30));
  write('.github/instructions/ts.instructions.md', '---\napplyTo: "**/*.ts"\n---\nStrict TypeScript.\n');
  write('.cursor/rules/react.mdc', '---\ndescription: React\nglobs: ["**/*.tsx"]\n---\nHooks only.\n');
  write('.cursorrules', 'Legacy cursor rules.\n');
  for (let d = 0; d < 20; d++) write(`node_modules/dep${d}/AGENTS.md`, 'not ours\n');
  return files;
}

function walkRuleFiles(root: string): RuleFile[] {
  const out: RuleFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const rel = path.relative(root, full).split(path.sep).join('/');
        if (ruleFormatOf(rel)) out.push({ folder: 'ws', relPath: rel, text: fs.readFileSync(full, 'utf8') });
      }
    }
  };
  walk(root);
  return out;
}

export async function benchContext(options: BenchRunOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 7;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-bench-rules-'));
  try {
    const files = makeWorkspace(root);
    const discover: number[] = [];
    const parse: number[] = [];
    let found: RuleFile[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      found = walkRuleFiles(root);
      const t1 = performance.now();
      readRules(found);
      parse.push(performance.now() - t1);
      discover.push(t1 - t0);
    }
    const rules = readRules(found);
    const question: number[] = [];
    let text = '';
    for (let i = 0; i < rounds * 20; i++) {
      const t0 = performance.now();
      text = rulesSystemText(rulesInEffect(rules, [{ folder: 'ws', relPath: `packages/p${i % 50}/src/f1.ts` }, { folder: 'ws', relPath: 'src/App.tsx' }]));
      question.push(performance.now() - t0);
    }
    console.log(`Rules: ${files} files, ${found.length} rule files found`);
    console.log(`  discovery (walk + read, stands in for findFiles; once, then after a change): ${median(discover).toFixed(1)} ms median of ${rounds}`);
    console.log(`  parsing ${found.length} rule files (frontmatter, scopes, cap, tokens): ${median(parse).toFixed(2)} ms`);
    console.log(`  per question (which rules apply + system text, ${text.length} chars): ${(median(question) * 1000).toFixed(0)} µs`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  benchMeterKeystroke(rounds);
}

/**
 * The webview's work per keystroke (once per frame) for the cost preview and the meter: the draft's estimate on top of
 * the host's base (shared by both), then the meter's share and label. The meter adds only the last part.
 */
function benchMeterKeystroke(rounds: number): void {
  const estimate: RequestEstimate = { baseTokens: 76_000, conversationTokens: 70_000, calibration: 1.1, context: { tokens: 76_000, contextLength: 200_000, calibration: 1.1, exact: true, breakdown: { system: 1, tools: 1, conversation: 1, attachments: 1, toolResults: 1 } } };
  for (const chars of [200, 100_000]) {
    const draft = 'Why does this allocate on every call? '.repeat(Math.ceil(chars / 38)).slice(0, chars);
    let label = '';
    const iterations = chars > 1000 ? 200 : 20_000;
    const both: number[] = [];
    const meterOnly: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      let tokens = 0;
      for (let i = 0; i < iterations; i++) tokens = previewWithDraft(estimate, draft).tokens;
      both.push((performance.now() - t0) / iterations);
      t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        const share = (tokens + (i & 1)) / estimate.context!.contextLength;
        label = `≈ ${Math.floor(share * 100)}% of ${formatTokenCount(estimate.context!.contextLength)}`;
      }
      meterOnly.push((performance.now() - t0) / iterations);
    }
    console.log(`Meter per keystroke, ${chars.toLocaleString('en-US')}-char draft: draft estimate (shared with the cost preview) ${(median(both) * 1000).toFixed(1)} µs; the meter's own share + label ${(median(meterOnly) * 1e6).toFixed(0)} ns (${label})`);
  }
}
