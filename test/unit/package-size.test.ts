// A small .vsix (README, "Small"): what each bundle may not carry, and a ceiling on the packaged size. The bundles are
// built in memory with the production options (nothing in dist/ or media/ is touched) and deflated as vsce's zip does,
// so the size is the .vsix's to within its few hundred bytes of zip headers and manifest.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const requireHere = createRequire(__filename);
const { targets } = requireHere('../../esbuild.js') as { targets: esbuild.BuildOptions[] };

/** The packaged .vsix may not grow past this (bytes). Lower it as the bundles shrink; never raise it without a reason in the commit. */
const VSIX_CEILING = 250 * 1024;

async function production(target: esbuild.BuildOptions): Promise<{ bytes: Uint8Array; inputs: string[] }> {
  const result = await esbuild.build({ ...target, minify: true, sourcemap: false, plugins: [], write: false, metafile: true });
  const output = Object.values(result.metafile.outputs)[0];
  // Only the modules that put bytes in the bundle (a re-exporting index whose exports are all shaken out puts none).
  const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([name]) => name);
  return { bytes: result.outputFiles[0].contents, inputs };
}

const built = Promise.all(targets.map(async (target) => ({ outfile: target.outfile!, ...(await production(target)) })));

test('the host carries zod/mini only (with zod\'s English locale alone), the webviews no zod at all, the host no YAML library', async () => {
  for (const { outfile, inputs } of await built) {
    // The host validates what a webview gets (src/webviews/common/boot.ts): zod was ~18 KB of the .vsix in the two pages.
    if (outfile.startsWith('media/')) assert.deepEqual(inputs.filter((input) => input.includes('/zod/')), [], `${outfile}: no zod in a webview (import the protocol's types only)`);
    // Classic zod (its chained methods, ZodError's formatters, every locale through z.locales) was ~100 KB of the host.
    assert.deepEqual(inputs.filter((input) => input.includes('/zod/v4/classic/')), [], `${outfile}: no classic zod (import 'zod/mini')`);
    // zod's CommonJS build beside its ESM one is zod's core twice (en.cjs pulled util.cjs and core.cjs: ~17 KB raw).
    assert.deepEqual(inputs.filter((input) => input.includes('/zod/') && input.endsWith('.cjs')), [], `${outfile}: zod's CommonJS files (import zod's ESM entry points)`);
    const locales = inputs.filter((input) => input.includes('/zod/v4/locales/'));
    assert.ok(locales.every((input) => /\/locales\/en\.c?js$/.test(input)), `${outfile}: zod locales other than English: ${locales.join(', ')}`);
    assert.deepEqual(inputs.filter((input) => input.includes('/js-yaml/')), [], `${outfile}: frontmatter is read by core/context/frontmatterYaml.ts`);
  }
});

test(`the packaged .vsix stays under ${VSIX_CEILING / 1024} KB`, async () => {
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const bundles = new Map((await built).map((b) => [b.outfile, b.bytes]));
  let total = 1200; // extension.vsixmanifest and [Content_Types].xml, deflated
  const sizes: string[] = [];
  for (const file of files) {
    const bytes = bundles.get(file) ?? readFileSync(path.join(ROOT, file));
    // vsce's zip (yazl) deflates at zlib's default level; a local header, a central record and the name twice per file.
    const packed = Math.min(deflateRawSync(bytes).length, bytes.length) + 76 + 2 * `extension/${file}`.length;
    sizes.push(`${file} ${(packed / 1024).toFixed(1)} KB`);
    total += packed;
  }
  assert.ok(total <= VSIX_CEILING, `the .vsix would be ${(total / 1024).toFixed(1)} KB: ${sizes.join(', ')}`);
});
