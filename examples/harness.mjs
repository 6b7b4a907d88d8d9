#!/usr/bin/env node
// A minimal agent-harness loop around sbxrun (Node.js 20, no npm packages).
//
// Runs COMMAND through sbxrun with --status-fd, reads the status document, and
//   - needs_approval: shows the reason, the path, the symlink and its target and sbxrun's
//     suggestion, and offers to run again with the suggested policy change (for example
//     filesystem.symlinks = "pin"), added as one more --policy layer;
//   - unavailable: shows why no sandbox can run here and how to find the fix;
//   - the command ran and failed after the sandbox refused writes outside the writable roots or
//     hosts the network policy does not allow: shows them and offers to run again with sbxrun's
//     suggestion_policy (the directories and hosts the command wanted) as one more --policy
//     layer;
//   - anything else: passes the exit status through.
//
// usage: harness.mjs [--yes | --no] [--sbxrun PATH] [--policy FILE]... [--workspace DIR]
//                    [--] COMMAND [ARG...]
//
// The answer to the prompt comes from --yes/--no, else $SBXRUN_HARNESS_ANSWER (yes|no), else
// the terminal; without a terminal the answer is no. $SBXRUN names the sbxrun binary (default:
// sbxrun in PATH). The harness's own messages go to stderr: stdout belongs to the command.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';

// "set filesystem.symlinks = "pin" or ..." -> ["filesystem.symlinks", '"pin"']
const SUGGESTED_SETTING = /\bset ([A-Za-z_]+(?:\.[A-Za-z_]+)+) = ("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.]+)/;
const MAX_ATTEMPTS = 3;

const say = (text = '') => process.stderr.write(text + '\n');

function parseArgs(argv) {
  const opts = {
    answer: (process.env.SBXRUN_HARNESS_ANSWER || '').toLowerCase() || null,
    sbxrun: process.env.SBXRUN || 'sbxrun',
    sbxrunArgs: [],
    command: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.command = argv.slice(i + 1);
      break;
    }
    if (a === '--yes' || a === '--no') {
      opts.answer = a.slice(2);
    } else if (['--sbxrun', '--policy', '--workspace'].includes(a) && i + 1 < argv.length) {
      if (a === '--sbxrun') opts.sbxrun = argv[i + 1];
      else opts.sbxrunArgs.push(a, argv[i + 1]);
      i++;
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option '${a}' (see the usage at the top of harness.mjs)`);
    } else {
      opts.command = argv.slice(i);
      break;
    }
  }
  if (opts.command.length === 0) throw new Error('no command given');
  if (![null, 'yes', 'no'].includes(opts.answer)) {
    throw new Error('SBXRUN_HARNESS_ANSWER must be yes or no');
  }
  return opts;
}

// Run once; resolve to {code, doc} (doc null when there is no usable status document).
function runSandboxed(sbxrun, sbxrunArgs, command) {
  return new Promise((resolve) => {
    // fd 3 of the child is a pipe to us: sbxrun writes the status document there when it ends.
    const child = spawn(sbxrun, ['--status-fd', '3', ...sbxrunArgs, '--', ...command], {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    });
    const chunks = [];
    child.stdio[3].on('data', (c) => chunks.push(c));
    child.on('error', (e) => {
      say(`harness: cannot start ${sbxrun}: ${e.message}`);
      resolve({ code: 127, doc: null });
    });
    // 'close' comes after the process ended and its pipes reached EOF.
    child.on('close', (code, signal) => {
      if (code === null) code = 128 + (constants.signals[signal] || 0);
      let doc = null;
      try {
        doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (doc.sbxrun_status !== 1) throw new Error('not an sbxrun status document, version 1');
      } catch (e) {
        say(`harness: no usable status document (${e.message}); passing exit status ${code} through`);
        doc = null;
      }
      resolve({ code, doc });
    });
  });
}

function show(doc, heading) {
  say(`harness: ${heading}`);
  for (const key of ['reason', 'path', 'symlink', 'target', 'suggestion']) {
    if (!doc[key]) continue;
    const lines = String(doc[key]).split('\n').map((l) => l.trim());
    say(`  ${(key + ':').padEnd(12)}${lines.join('\n' + ' '.repeat(14))}`);
  }
}

async function ask(question, answer) {
  if (answer === null) {
    if (!process.stdin.isTTY) {
      say(`${question} [y/N] no (not interactive; pass --yes to approve)`);
      return false;
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const reply = await rl.question(`${question} [y/N] `);
    rl.close();
    return ['y', 'yes'].includes(reply.trim().toLowerCase());
  }
  say(`${question} [y/N] ${answer}`);
  return answer === 'yes';
}

// A one-key sbxrun policy file: later --policy files override earlier ones key by key.
function policyLayer(dir, n, setting, value) {
  const parts = setting.split('.');
  const key = parts.pop();
  let text = 'version = 1\n';
  if (parts.length > 0) text += `[${parts.join('.')}]\n`;
  text += `${key} = ${value}\n`;
  return policyFile(dir, n, text);
}

function policyFile(dir, n, text) {
  const path = join(dir, `approved-${n}.toml`);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

async function main(argv) {
  const opts = parseArgs(argv);
  const sbxrunArgs = [...opts.sbxrunArgs];
  let dir = null;
  try {
    let code = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const r = await runSandboxed(opts.sbxrun, sbxrunArgs, opts.command);
      code = r.code;
      const doc = r.doc;
      if (doc === null) return code;
      if (doc.outcome === 'unavailable') {
        show(doc, 'no sandbox can run this command on this host');
        if (!`${doc.reason || ''}${doc.suggestion || ''}`.includes('--doctor')) {
          say("  run 'sbxrun --doctor' for the cause and the fix");
        }
        return code;
      }
      if (doc.outcome !== 'needs_approval') {
        const layer = doc.suggestion_policy;
        if (code === 0 || !layer) return code; // it ran, or was refused: pass it on
        // The command failed, and the sandbox refused it writes outside the writable roots or
        // hosts off the allowlist: sbxrun suggests the policy layer that would have allowed them.
        say('harness: the command failed after the sandbox refused it:');
        for (const d of doc.denials.filesystem.slice(0, 5)) {
          say(`  ${d.op} ${d.path} (${d.why}, ${d.count}x)`);
        }
        for (const d of doc.denials.network.slice(0, 5)) say(`  ${d.op} ${d.host}`);
        say(`  suggested policy layer:\n    ${layer.trim().replaceAll('\n', '\n    ')}`);
        if (!(await ask('Run again with this policy layer?', opts.answer))) return code;
        dir ??= mkdtempSync(join(tmpdir(), 'sbxrun-harness-'));
        sbxrunArgs.push('--policy', policyFile(dir, attempt, layer));
        continue;
      }
      show(doc, 'the sandbox needs your approval before it can run this command');
      const m = SUGGESTED_SETTING.exec(doc.suggestion || '');
      if (!m) {
        say('  (no policy change to offer; change the policy and run again)');
        return code;
      }
      const [, setting, value] = m;
      if (!(await ask(`Run again with ${setting} = ${value}?`, opts.answer))) return code;
      dir ??= mkdtempSync(join(tmpdir(), 'sbxrun-harness-'));
      sbxrunArgs.push('--policy', policyLayer(dir, attempt, setting, value));
    }
    say(`harness: still not approved after ${MAX_ATTEMPTS} attempts`);
    return code;
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    say(`harness: ${e.message}`);
    process.exit(2);
  },
);
