// The tools' JSON Schemas are written out (toolJsonSchemas.ts, so z.toJSONSchema stays out of the host bundle); here
// they are derived from the zod schemas that check the model's calls, and must say the same: types, limits, required
// fields, in the same key order. Only the descriptions are the written file's own, and every field has one.
import '../../src/zodConfig';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod/mini';
import { TOOL_NAMES, toolDefinitions, toolInputSchemas } from '../../src/core/tools/definitions';
import { TOOL_JSON_SCHEMAS } from '../../src/core/tools/toolJsonSchemas';

/** What zod makes of a tool's input schema, less the noise the model does not need ($schema, the safe-integer maximum). */
function derived(schema: z.ZodMiniType): unknown {
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  delete json.$schema;
  return JSON.parse(JSON.stringify(json, (key, value: unknown) => (key === 'maximum' && value === Number.MAX_SAFE_INTEGER ? undefined : value)));
}

function withoutDescriptions(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'description' ? undefined : inner)));
}

test('each written JSON Schema is what zod derives from the tool\'s input schema, but for the descriptions', () => {
  assert.deepEqual(Object.keys(TOOL_JSON_SCHEMAS), TOOL_NAMES);
  for (const name of TOOL_NAMES) {
    const written = withoutDescriptions(TOOL_JSON_SCHEMAS[name]);
    // Compared as text too: the same keys in the same order keep the request's bytes (and the prompt cache) the same.
    assert.equal(JSON.stringify(written), JSON.stringify(derived(toolInputSchemas[name])), name);
  }
});

test('every field of every tool has a description for the model', () => {
  for (const tool of toolDefinitions()) {
    const properties = tool.input_schema.properties as Record<string, { description?: unknown }>;
    for (const [field, schema] of Object.entries(properties)) {
      assert.ok(typeof schema.description === 'string' && schema.description.length > 20, `${tool.name}.${field}`);
    }
  }
});

test('a limit changed in the zod schema alone is caught', () => {
  const looser = z.object({ ...toolInputSchemas.find_files.shape, glob: z.string().check(z.maxLength(2000)) });
  assert.notEqual(JSON.stringify(derived(looser)), JSON.stringify(withoutDescriptions(TOOL_JSON_SCHEMAS.find_files)));
});
