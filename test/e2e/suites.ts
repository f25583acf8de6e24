// The in-host mocha suites, shared by both hosts: code-server (`npm test`, test/e2e/inhost.test.ts) and desktop
// VS Code (`npm run test:desktop`, test/e2e/desktop.ts). One index (suite/index.ts), one bundle, one workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../scripts/e2eToolchain';

export const SUITE_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'suite');
export const OUT_DIR = path.join(REPO_ROOT, 'out', 'e2e', 'suite');
/** What VS Code loads as `extensionTestsPath` (its `run()` runs every bundled suite). */
export const SUITE_INDEX = 'index.js';

/** Files the suites expect in the opened workspace folder. */
export const SUITE_WORKSPACE_FILES: Readonly<Record<string, string>> = {
  'sample.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport const twice = (n: number): number => add(n, n);\n',
  'notes.md': '# Notes\n\nA workspace file for the in-host tests.\n',
};

/** The suite sources: every `*.test.ts` of the folder, sorted (the index is bundled next to them). */
export function suiteFiles(dir: string = SUITE_DIR): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.test.ts')).sort();
}

/**
 * Bundles the index and one file per suite into `outDir` (cleared first); `vscode` comes from the host, mocha
 * from the repo's node_modules. Returns the suite file names.
 */
export async function bundleSuites(outDir: string = OUT_DIR, dir: string = SUITE_DIR): Promise<string[]> {
  const files = suiteFiles(dir);
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: ['index.ts', ...files].map((name) => path.join(dir, name)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    // Each suite bundles its own zod; configure it as the extension does, so nothing but the extension under test
    // could touch `navigator` (smoke.test.ts checks the extension host log for that).
    inject: [path.join(REPO_ROOT, 'src', 'zodConfig.ts')],
    logLevel: 'silent',
  });
  return files;
}

/** Writes the suites' workspace files into `dir`. */
export function writeSuiteWorkspace(dir: string): void {
  for (const [rel, content] of Object.entries(SUITE_WORKSPACE_FILES)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
