// Host time of a tool round without the model: search_text over a 5,000-file folder and read_file of a 1 MB file,
// with the code the host runs (src/chat/tools: .gitignore filter, time-sliced reads, cheap whole-file rejection, capped
// result; numbered, size-capped reads), next to a naive baseline (sequential reads, every line tested, the whole
// file numbered and sent). The file list comes from a Node walk, standing in for VS Code's findFiles (ripgrep),
// which is not our code. Numbers only; no pass/fail.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { looksSecret } from '../src/core/tools/paths';
import { GitignoreFilter, SEARCH_LIMITS, searchFiles, type SearchFile } from '../src/core/tools/search';
import { ExcludeMatcher, numberedLines, searchPattern } from '../src/core/tools/text';
import { looksBinary } from '../src/core/tools/textFile';
import type { BenchRunOptions } from './run';

const FILES = 5000;

function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tools-'));
  writeFileSync(join(dir, '.gitignore'), 'dist/\n*.log\n');
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, 'src', `pkg${i % 50}`, `mod${i % 7}`);
    mkdirSync(folder, { recursive: true });
    const lines: string[] = [];
    // ~4 KB of code each; one file in 50 uses the searched name.
    for (let l = 0; l < 120; l++) lines.push(`export function helper${i}_${l}(value: number): number { return value * ${l}; }`);
    if (i % 50 === 0) lines.splice(60, 0, `const url = parseUrl(input${i});`);
    writeFileSync(join(folder, `file${i}.ts`), lines.join('\n') + '\n');
  }
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'bundle.js'), 'parseUrl(x)\n'.repeat(1000));
  const big: string[] = [];
  while (big.join('\n').length < 1024 * 1024) big.push(`// line ${big.length}: ${'x'.repeat(60)}`);
  writeFileSync(join(dir, 'big.ts'), big.join('\n'));
  return dir;
}

async function walk(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out;
}

async function oursSearch(dir: string, listed: string[]): Promise<{ ms: number; summary: string }> {
  const start = performance.now();
  const excludes = new ExcludeMatcher(['**/node_modules', '**/bower_components', '**/*.code-search']);
  const gitignore = new GitignoreFilter((file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined));
  const files: SearchFile[] = [];
  for (const rel of listed) {
    if (excludes.excludes(rel) || looksSecret(rel) || (await gitignore.ignored(dir, rel))) continue;
    files.push({ fsPath: join(dir, rel), path: rel });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  const pattern = searchPattern('parseUrl', false) as RegExp;
  // As the host reads (src/host/tools/searchText.ts): stat, read, binary check, synchronously in time slices.
  const result = await searchFiles(files, pattern, (fsPath) => {
    if (statSync(fsPath).size > SEARCH_LIMITS.maxFileBytes) return undefined;
    const bytes = readFileSync(fsPath);
    return looksBinary(bytes) ? undefined : bytes.toString('utf8');
  }, { label: "'parseUrl'", signal: new AbortController().signal, listedAll: true });
  return { ms: performance.now() - start, summary: result.summary };
}

function naiveSearch(dir: string, listed: string[]): { ms: number; matches: number } {
  const start = performance.now();
  let matches = 0;
  const out: string[] = [];
  for (const rel of listed) {
    const lines = readFileSync(join(dir, rel), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/parseUrl/i.test(line)) {
        matches++;
        out.push(`${rel}:${i + 1}: ${line}`);
      }
    });
  }
  out.join('\n');
  return { ms: performance.now() - start, matches };
}

async function oursRead(file: string): Promise<{ ms: number; chars: number }> {
  const start = performance.now();
  const bytes = await readFile(file);
  if (looksBinary(bytes)) throw new Error('binary');
  const read = numberedLines(bytes.toString('utf8'));
  return { ms: performance.now() - start, chars: read.text.length };
}

function naiveRead(file: string): { ms: number; chars: number } {
  const start = performance.now();
  const text = readFileSync(file, 'utf8').split('\n').map((line, i) => `${i + 1}\t${line}`).join('\n');
  return { ms: performance.now() - start, chars: text.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchTools(options: BenchRunOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 5;
  const dir = makeWorkspace();
  try {
    const listStart = performance.now();
    const listed = await walk(dir);
    const listMs = performance.now() - listStart;
    await oursSearch(dir, listed);
    naiveSearch(dir, listed);
    const a: number[] = [];
    const b: number[] = [];
    let summary = '';
    let naiveMatches = 0;
    for (let r = 0; r < rounds; r++) {
      const ours = await oursSearch(dir, listed);
      a.push(ours.ms);
      summary = ours.summary;
      const naive = naiveSearch(dir, listed);
      b.push(naive.ms);
      naiveMatches = naive.matches;
    }
    const big = join(dir, 'big.ts');
    const c: number[] = [];
    const d: number[] = [];
    let oursChars = 0;
    let naiveChars = 0;
    for (let r = 0; r < rounds; r++) {
      const ours = await oursRead(big);
      c.push(ours.ms);
      oursChars = ours.chars;
      const naive = naiveRead(big);
      d.push(naive.ms);
      naiveChars = naive.chars;
    }
    console.log(`tools: host time of one tool round without the model, median of ${rounds} rounds`);
    console.log(`  search_text over ${FILES} files (+ ignored dist/): ${median(a).toFixed(1)} ms (${summary}); naive sequential read + every line tested: ${median(b).toFixed(1)} ms (${naiveMatches} matches, ignored files searched, nothing capped) — ratio ${(median(b) / median(a)).toFixed(2)}x`);
    console.log(`  (listing the ${listed.length} files by a Node walk, standing in for VS Code's findFiles: ${listMs.toFixed(1)} ms, not counted)`);
    console.log(`  read_file of a 1 MB file: ${median(c).toFixed(2)} ms, ${(oursChars / 1024).toFixed(0)} KiB sent (cut at ${2000} lines with a note); naive whole file numbered: ${median(d).toFixed(2)} ms, ${(naiveChars / 1024).toFixed(0)} KiB — ratio ${(median(d) / median(c)).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
