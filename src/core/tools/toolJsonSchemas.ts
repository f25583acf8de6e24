// The JSON Schema of each tool's input, as sent in a request's `tools` (the inputs are a contract, issue 9), with the
// descriptions the model reads. Written out rather than made at run time by z.toJSONSchema, which was ~21 KB of the
// host bundle; test/unit/tools-jsonSchemas.test.ts derives each one from toolInputSchemas (definitions.ts) and fails
// on any difference but the descriptions, which live only here. Key order is kept: the bytes sent stay the same.
import type { Tool } from '../../api';
import type { ToolName } from './definitions';

export const TOOL_JSON_SCHEMAS: Record<ToolName, Tool['input_schema']> = {
  read_file: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Workspace-relative path with forward slashes, e.g. "src/app.ts" (an absolute path inside a workspace folder works too).' },
      start_line: { description: 'First line to read (1-based). Default: 1.', type: 'integer', minimum: 1 },
      end_line: { description: 'Last line to read (inclusive). Default: the end, within the size limit.', type: 'integer', minimum: 1 },
    },
    required: ['path'],
  },
  list_directory: {
    type: 'object',
    properties: {
      path: { type: 'string', maxLength: 4096, description: 'Workspace-relative folder path; "" or "." is the workspace root.' },
    },
    required: ['path'],
  },
  find_files: {
    type: 'object',
    properties: {
      glob: { type: 'string', minLength: 1, maxLength: 1000, description: 'Glob pattern relative to the workspace, e.g. "**/*.test.ts" or "src/**/config*.json".' },
    },
    required: ['glob'],
  },
  search_text: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 1000, description: 'Text to find (case-insensitive for plain text), or a JavaScript regular expression when is_regexp is true.' },
      is_regexp: { description: 'Treat query as a regular expression. Default false.', type: 'boolean' },
      include: { description: 'Glob limiting the files searched, e.g. "src/**/*.ts". Default: all files.', type: 'string', maxLength: 1000 },
    },
    required: ['query'],
  },
  get_diagnostics: {
    type: 'object',
    properties: {
      path: { description: "Only this file's problems. Default: every file with problems.", type: 'string', minLength: 1, maxLength: 4096 },
    },
  },
  edit_file: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Workspace-relative path with forward slashes, e.g. "src/app.ts" (an absolute path inside a workspace folder works too).' },
      old_text: { type: 'string', minLength: 1, description: 'Exact text to replace, including whitespace and indentation. It must occur exactly once in the file: include enough surrounding lines to make it unique.' },
      new_text: { type: 'string', description: 'The text that replaces old_text.' },
    },
    required: ['path', 'old_text', 'new_text'],
  },
  create_file: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Workspace-relative path with forward slashes, e.g. "src/app.ts" (an absolute path inside a workspace folder works too).' },
      content: { type: 'string', description: 'The whole content of the new file.' },
    },
    required: ['path', 'content'],
  },
  run_command: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, maxLength: 10000, description: "The command line, run by the user's shell (e.g. \"npm test\", \"git status && git diff --stat\")." },
      cwd: { description: 'Workspace-relative folder to run it in. Default: the workspace folder. Never outside the workspace.', type: 'string', maxLength: 4096 },
      timeout_seconds: { description: 'Seconds before the command and everything it started are ended. Default: fastrouter.tools.commandTimeoutSeconds (120).', type: 'integer', minimum: 1, maximum: 3600 },
    },
    required: ['command'],
  },
};
