// The CLI driven as a subprocess, as CI pipelines and pre-commit hooks use it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cn-cli-'));
const cli = join(dir, 'cli.js');
const sample = join(root, 'samples/leader-election.consensus');

function chrome(): string | null {
  for (const p of [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && spawnSync('test', ['-x', p]).status === 0) return p;
  }
  return null;
}

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function notebook(name: string, ...cells: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, cells.map((c) => `\`\`\`consensus\n${c}\n\`\`\``).join('\n\n') + '\n');
  return p;
}

beforeAll(async () => {
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['playwright-core'], logLevel: 'silent' });
  await build({ entryPoints: [join(root, 'src/renderer/exportPage.ts')], outfile: join(dir, 'mermaid-export.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'silent' });
}, 120_000);

describe('consensus-notebook run', () => {
  it('exits 0 and prints a verdict per cell when every expectation holds', () => {
    const r = run('run', sample);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ .*leader-election\.consensus cell 2: leader n\d/);
  });

  it('exits 1 with a code frame when an expectation fails', () => {
    const f = notebook('fails.consensus', 'cluster raft nodes=3 seed=1\nrun until leader\nexpect term >= 99');
    const r = run('run', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('line 3, column 8: Expected term >= 99, found term 1');
    expect(r.stdout).toMatch(/\^+/);
  });

  it('a cell marked `# expect-error: TEXT` passes when it fails with TEXT, and fails when it runs clean', () => {
    const demo = notebook('demo.consensus', 'cluster raft nodes=5 seed=1 election-timeout=200ms', '# expect-error: No leader after 2s\nrun until leader within 2s');
    const pass = run('run', demo);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('cell 2: failed as expected (No leader after 2s)');
    const clean = notebook('clean.consensus', 'cluster raft nodes=5 seed=1', '# expect-error: No leader\nrun until leader');
    const fail = run('run', clean);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('expected an error containing "No leader", but the cell ran clean');
  });

  it('every sample runs as its author meant (exit 0)', () => {
    const samples = readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.consensus')).map((f) => join(root, 'samples', f));
    const r = run('run', ...samples);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('--json prints one object with a stable shape', () => {
    const r = run('run', sample, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; files: { file: string; ok: boolean; cells: Record<string, unknown>[] }[] };
    expect(j.ok).toBe(true);
    expect(j.files).toHaveLength(1);
    for (const c of j.files[0]!.cells) expect(Object.keys(c).sort()).toEqual(['cell', 'diagnostics', 'failures', 'leader', 'messages', 'ok', 'term', 'verdict']);
  });

  it('--seed changes the run only for cells that name no seed', () => {
    const f = notebook('seedless.consensus', 'cluster raft nodes=5\nrun until leader');
    const a = JSON.parse(run('run', f, '--json', '--seed', '1').stdout) as { files: { cells: { verdict: string }[] }[] };
    const b = JSON.parse(run('run', f, '--json', '--seed', '1').stdout) as typeof a;
    expect(a).toEqual(b);
  });

  it('a missing file, a directory, a binary file and a too-large file each get one clear line and exit non-zero', () => {
    expect(run('run', join(dir, 'nope.consensus'))).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') });
    mkdirSync(join(dir, 'adir'), { recursive: true });
    expect(run('run', join(dir, 'adir')).stderr).toContain('is a directory');
    writeFileSync(join(dir, 'bin.consensus'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    expect(run('run', join(dir, 'bin.consensus')).stderr).toContain('binary file');
    writeFileSync(join(dir, 'big.consensus'), Buffer.alloc(50 * 1024 * 1024, 'a'));
    const big = run('run', join(dir, 'big.consensus'));
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/is 50\.0 MB; a notebook is at most 5 MB/);
    expect(big.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('a syntax error is reported with its position and a non-zero exit', () => {
    const f = notebook('typo.consensus', 'cluster raft nodes=5\nparitition {n1} | {n2}');
    const r = run('run', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('line 2, column 1: Unknown command `paritition`. Did you mean `partition`?');
  });

  it('bad usage exits 2 with a hint', () => {
    expect(run('frobnicate', sample)).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command `frobnicate`') });
    expect(run('run')).toMatchObject({ code: 2 });
    expect(run('run', sample, '--seed', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed needs a whole number') });
    expect(run('run', sample, '--bogus')).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown option --bogus') });
  });

  it('a command named like a JavaScript property, or like the main help, is an unknown command', () => {
    for (const c of ['toString', 'constructor', '__proto__', 'main']) {
      expect(run(c, sample)).toMatchObject({ code: 2, stderr: expect.stringContaining(`Unknown command \`${c}\``) });
      expect(run(c, '--help')).toMatchObject({ code: 2, stderr: expect.stringContaining(`Unknown command \`${c}\``) });
    }
  });

  it('--help exists for every command', () => {
    for (const c of ['run', 'check', 'export']) {
      const r = run(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`consensus-notebook ${c}`);
    }
  });
});

describe('consensus-notebook check', () => {
  it('passes a clean notebook and fails one with a typo, without running anything', () => {
    expect(run('check', sample).code).toBe(0);
    const f = notebook('check-typo.consensus', 'cluster raft nodez=5');
    const r = run('check', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Did you mean `nodes`?');
  });
});

describe('consensus-notebook export', () => {
  it('--format md writes Markdown with mermaid blocks, byte-identical on a second run', () => {
    const out1 = join(dir, 'md1');
    const out2 = join(dir, 'md2');
    expect(run('export', sample, '--format', 'md', '--out', out1).code).toBe(0);
    expect(run('export', sample, '--format', 'md', '--out', out2).code).toBe(0);
    const a = readFileSync(join(out1, 'leader-election.md'), 'utf8');
    expect(a).toContain('```mermaid\nsequenceDiagram');
    expect(a).toContain('# Raft leader election');
    expect(readFileSync(join(out2, 'leader-election.md'), 'utf8')).toBe(a);
  });

  it('judges `# expect-error` cells as run does: every sample exports with exit 0; a cell that fails otherwise exits 1', () => {
    const samples = readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.consensus')).map((f) => join(root, 'samples', f));
    const all = run('export', ...samples, '--format', 'md', '--out', join(dir, 'md-samples'));
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(readFileSync(join(dir, 'md-samples', '03-split-votes.md'), 'utf8')).toContain('No leader after 50s of virtual time');
    const clean = notebook('clean-export.consensus', 'cluster raft nodes=5 seed=1', '# expect-error: No leader\nrun until leader');
    expect(run('export', clean, '--out', join(dir, 'md-clean')).code).toBe(1);
    const failing = notebook('failing-export.consensus', 'cluster raft nodes=5 seed=1 election-timeout=200ms', 'run until leader within 2s');
    expect(run('export', failing, '--out', join(dir, 'md-failing')).code).toBe(1);
  });

  it('--format mmd writes one Mermaid file per cell and view', () => {
    const out = join(dir, 'mmd');
    expect(run('export', sample, '--format', 'mmd', '--out', out).code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toContain('leader-election.cell2.sequence.mmd');
  });

  it('without a browser, --format svg says so and suggests --format md', () => {
    const r = spawnSync(process.execPath, [cli, 'export', sample, '--format', 'svg'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CHROME_PATH: '/nonexistent/chrome' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs Chromium');
    expect(r.stderr).toContain('--format md');
  });

  it.skipIf(chrome() === null)('with Chromium, --format svg writes deterministic SVGs drawn by Mermaid', () => {
    // The built CLI keeps playwright-core external; here it resolves from the repository.
    const env = { ...process.env, CHROME_PATH: chrome()!, NODE_PATH: join(root, 'node_modules') };
    const out1 = join(dir, 'svg1');
    const out2 = join(dir, 'svg2');
    expect(spawnSync(process.execPath, [cli, 'export', sample, '--format', 'svg', '--out', out1], { cwd: dir, env, encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync(process.execPath, [cli, 'export', sample, '--format', 'svg', '--out', out2], { cwd: dir, env, encoding: 'utf8' }).status).toBe(0);
    const svg = readFileSync(join(out1, 'leader-election.cell2.sequence.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*aria-roledescription="sequence"/);
    expect(svg).toContain('RequestVote');
    expect(readFileSync(join(out2, 'leader-election.cell2.sequence.svg'), 'utf8')).toBe(svg);
  });
});

describe('consensus-notebook explore and merge', () => {
  const explore = join(root, 'samples/16-explore.consensus');
  const report = (r: { stdout: string }): { runs: number; shards: string[]; finding: { run: number; broke: string; lines: string[] } | null } => JSON.parse(r.stdout);

  it('explores a notebook line as its cell does: the same finding, the same shrunk lines (exit 1)', () => {
    const r = run('explore', explore, '--explore', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(explore line 2, shard 1/1): explore: run 1 of 200 (10s of virtual time, 20 client operations and faults (crash, partition, pause, loss)) broke Leader Completeness');
    expect(r.stdout).toContain('\npartition {n4 n1 n3 n5} | {n2}\nrun 269.144ms\nheal\nrun 397.6ms\n');
  });

  it('a correct cluster survives its runs (exit 0); --seeds sets how many', () => {
    const r = run('explore', explore, '--seeds', '40');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('explore: 40 runs, each 10s of virtual time');
  });

  it('worker threads play the same runs: the same runs without a finding, the same lowest finding with one', () => {
    const one = report(run('explore', explore, '--seeds', '60', '--json'));
    const two = report(run('explore', explore, '--seeds', '60', '--workers', '2', '--json'));
    expect(two.runs).toBe(60);
    expect({ ...two, shards: one.shards }).toEqual(one);
    const found1 = report(run('explore', explore, '--explore', '3', '--json'));
    const found2 = report(run('explore', explore, '--explore', '3', '--workers', '3', '--json'));
    expect(found2.finding).toEqual(found1.finding);
  });

  it('shards (--shard K/N) split the runs; merge combines their reports into the single run\'s result', () => {
    const paths = [1, 2, 3].map((k) => {
      const r = run('explore', explore, '--explore', '3', '--shard', `${k}/3`, '--json');
      const p = join(dir, `shard-${k}.json`);
      writeFileSync(p, r.stdout);
      return p;
    });
    const merged = run('merge', ...paths, '--json');
    expect(merged.code).toBe(1);
    const single = report(run('explore', explore, '--explore', '3', '--json'));
    expect(report(merged).finding).toEqual(single.finding);
    expect(report(merged).shards).toEqual(['1/3', '2/3', '3/3']);
  });

  it('bad flags and missing lines are clear usage errors (exit 2), or say what is missing', () => {
    expect(run('explore', explore, '--shard', '4/3')).toMatchObject({ code: 2, stderr: 'consensus-notebook: --shard needs K/N with 1 ≤ K ≤ N (such as 2/8), found `4/3`.\n' });
    expect(run('explore', explore, '--workers', '0')).toMatchObject({ code: 2, stderr: 'consensus-notebook: --workers needs a whole number from 1 to 64, found `0`.\n' });
    const none = run('explore', sample);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the notebook has no `explore` line');
  });
});
