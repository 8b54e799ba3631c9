// The extension's scenario runner without VS Code: the Node entry's worker thread and the web entry's Web
// Worker answer every notebook of samples/ and test/scenarios/ with the same bytes; the web bundles use
// nothing of Node; and the Runner's cancellation and failure handling (runner.ts) against a fake worker.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseNotebook } from '../../src/lang/notebook';
import { Cancelled, Runner, type RunnerWorker, type RunnerWorkerEvents, STOP_GRACE_MS } from '../../src/extension/runner';
import { createRunnerCore } from '../../src/extension/runnerCore';
import type { Request, RequestBody, Response } from '../../src/extension/runnerProtocol';

const root = resolve(__dirname, '../..');
const { webExtensionOptions } = createRequire(import.meta.url)(join(root, 'esbuild.js')) as { webExtensionOptions(o?: object): Parameters<typeof build>[0] };

const NOTEBOOKS = ['samples', 'test/scenarios'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.consensus'))
    .sort()
    .map((f) => join(dir, f)),
);
const OPTIONS = { eventBudget: 2_000_000, defaultSeed: 1 };

/** Sends requests to a runner and returns its answers as the bytes the extension host receives. */
interface Endpoint {
  ask(req: Request): Promise<Response>;
  close(): Promise<void>;
}

/** The Node entry's runner: dist/runner.js in a worker thread, as runner.node.ts starts it. */
function nodeRunner(code: string): Endpoint {
  const worker = new Worker(code, { eval: true });
  const waiting = new Map<number, (res: Response) => void>();
  worker.on('message', (res: Response) => waiting.get(res.id)?.(res));
  return {
    ask: (req) =>
      new Promise((resolve) => {
        waiting.set(req.id, resolve);
        worker.postMessage(req);
      }),
    close: async () => void (await worker.terminate()),
  };
}

/**
 * The web entry's Web Worker script in a context that has only what a browser worker offers and the
 * script could use (no require, process, Buffer or other Node globals): messages are structured clones,
 * as between a Web Worker and its creator.
 */
function webRunner(code: string): Endpoint {
  const waiting = new Map<number, (res: Response) => void>();
  const scope: Record<string, unknown> = {
    structuredClone,
    TextEncoder,
    TextDecoder,
    console,
    onmessage: null,
    postMessage: (res: Response) => waiting.get(res.id)?.(structuredClone(res)),
  };
  scope.self = scope;
  const context = vm.createContext(scope);
  vm.runInContext(code, context);
  return {
    ask: (req) =>
      new Promise((resolve) => {
        waiting.set(req.id, resolve);
        const onmessage = scope.onmessage as (event: { data: Request }) => void;
        onmessage({ data: structuredClone(req) });
      }),
    close: async () => undefined,
  };
}

let nodeCode = '';
let webCode = '';
let webExtension: { code: string; inputs: string[]; imports: string[] };

beforeAll(async () => {
  const node = await build({
    entryPoints: [join(root, 'src/extension/runner.worker.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
  nodeCode = node.outputFiles[0]!.text;
  const web = await build({
    entryPoints: [join(root, 'src/extension/runner.webworker.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  webCode = web.outputFiles[0]!.text;
  const ext = await build({ ...webExtensionOptions({ write: false, metafile: true, logLevel: 'silent' }), outfile: join(root, 'dist/web/test-only.js') });
  const out = Object.values(ext.metafile!.outputs)[0]!;
  webExtension = {
    code: ext.outputFiles![0]!.text,
    inputs: Object.keys(ext.metafile!.inputs),
    imports: out.imports.filter((i) => i.external).map((i) => i.path),
  };
}, 120_000);

describe('the web entry', () => {
  it('is a browser bundle that imports only vscode and carries its Web Worker inside', () => {
    expect([...new Set(webExtension.imports)]).toEqual(['vscode']);
    expect(webExtension.inputs.some((f) => f.endsWith('src/extension/runner.node.ts'))).toBe(false);
    expect(webExtension.inputs.some((f) => f.endsWith('src/extension/runner.worker.ts'))).toBe(false);
    expect(webExtension.inputs).toContain('web-runner-source:consensus-notebook:web-runner-source');
    // Node globals are not there to use in a browser's extension host.
    expect(webExtension.code).not.toMatch(/\bBuffer\.|\bprocess\.(?:env|cwd|platform|nextTick)\b|\bsetImmediate\(/);
  });

  it("its Web Worker's script uses no Node globals", () => {
    expect(webCode).not.toMatch(/\brequire\(|\bBuffer\.|\bprocess\.|\bsetImmediate\(/);
  });
});

describe('the web runner and the node runner', () => {
  let node: Endpoint;
  let web: Endpoint;
  beforeAll(() => {
    node = nodeRunner(nodeCode);
    web = webRunner(webCode);
  });
  afterAll(async () => {
    await node.close();
    await web.close();
  });

  let id = 1;
  async function both(body: RequestBody): Promise<[string, string]> {
    const req = { ...body, id: id++ } as Request;
    const [a, b] = await Promise.all([node.ask(req), web.ask(req)]);
    return [JSON.stringify(a), JSON.stringify(b)];
  }

  it.each(NOTEBOOKS)('give byte-identical outputs for every cell of %s, and the same Markdown export', async (file) => {
    const cells = parseNotebook(readFileSync(join(root, file), 'utf8'));
    const code = cells.filter((c) => c.kind === 'code').map((c) => c.text);
    const notebook = `file:///${file}`;
    for (let k = 0; k < code.length; k++) {
      const payload = { name: `nb-cell${k + 1}`, hideHeartbeats: true, theme: 'auto' as const };
      const [fromNode, fromWeb] = await both({ type: 'run', notebook, cells: code, k, options: OPTIONS, payload });
      expect(JSON.parse(fromNode).ok, fromNode.slice(0, 300)).toBe(true);
      expect(fromWeb, `cell ${k + 1} of ${file}`).toBe(fromNode);
    }
    const [nodeMd, webMd] = await both({ type: 'export', cells, options: OPTIONS, name: 'nb' });
    expect(webMd).toBe(nodeMd);
    expect(nodeMd).toContain('```mermaid');
  });

  it('answer a mistake with the same positioned diagnostics', async () => {
    const [fromNode, fromWeb] = await both({ type: 'run', notebook: 'untitled:typo', cells: ['cluster raft nodez=5'], k: 0, options: OPTIONS, payload: {} });
    expect(fromNode).toContain('nodez');
    expect(fromWeb).toBe(fromNode);
  });
});

describe('runnerCore: a run asked to stop', () => {
  it('stops with "Cancelled.", and is not cached: asked again without the flag, it runs to the end', () => {
    const handle = createRunnerCore();
    const cells = ['cluster raft nodes=5 seed=3\nrun until leader', 'A put x=1\nrun 60s'];
    const options = { eventBudget: 10_000_000, defaultSeed: 1 };
    const ask = (k: number, stop?: Int32Array) => handle({ id: k, type: 'run', notebook: 'n', cells, k, options, payload: {}, ...(stop ? { stop } : {}) });
    expect(ask(0)).toMatchObject({ ok: true, result: { ok: true, messages: [] } });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(stop, 0, 1); // set before the run: it stops at its first look, after 1,024 events
    expect(ask(1, stop)).toMatchObject({ ok: true, result: { messages: ['Cancelled.'] } });
    expect(ask(1)).toMatchObject({ ok: true, result: { ok: true, messages: [] } });
  });
});

describe('Runner (runner.ts) with a fake worker', () => {
  /** A factory of fake workers that answer only when told to. */
  function fake() {
    const spawned: { events: RunnerWorkerEvents; posted: Request[]; terminated: boolean }[] = [];
    const runner = new Runner({
      description: 'a fake worker',
      spawn(events): RunnerWorker {
        const w = { events, posted: [] as Request[], terminated: false };
        spawned.push(w);
        return { postMessage: (req) => w.posted.push(req), terminate: () => void (w.terminated = true) };
      },
    });
    return { runner, spawned };
  }

  function token() {
    const listeners: (() => void)[] = [];
    const t = {
      isCancellationRequested: false,
      onCancellationRequested: (listener: () => void) => {
        listeners.push(listener);
        return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
      },
      cancel() {
        t.isCancellationRequested = true;
        for (const l of [...listeners]) l();
      },
    };
    return t;
  }

  const forget: RequestBody = { type: 'forget', notebook: 'x' };

  it('answers a request by its id', async () => {
    const { runner, spawned } = fake();
    const a = runner.request<string>(forget);
    const b = runner.request<string>(forget);
    const [first, second] = spawned[0]!.posted;
    spawned[0]!.events.message({ id: second!.id, ok: true, result: 'b' });
    spawned[0]!.events.message({ id: first!.id, ok: true, result: 'a' });
    expect(await a).toBe('a');
    expect(await b).toBe('b');
    expect(spawned).toHaveLength(1);
  });

  /** A request `body` and another behind it; the first is cancelled and rejects with Cancelled at once. */
  async function cancelFirstOfTwo(body: RequestBody) {
    const { runner, spawned } = fake();
    const t = token();
    const first = runner.request(body, t as never);
    const other = runner.request<string>(forget);
    t.cancel();
    await expect(first).rejects.toBeInstanceOf(Cancelled);
    return { runner, spawned, other };
  }

  it('cancelling rejects with Cancelled at once, stops the worker, and the next request gets a fresh one', async () => {
    const { runner, spawned, other } = await cancelFirstOfTwo(forget);
    await expect(other).rejects.toBeInstanceOf(Cancelled);
    expect(spawned[0]!.terminated).toBe(true);
    // A late answer of the stopped worker is ignored.
    spawned[0]!.events.message({ id: spawned[0]!.posted[0]!.id, ok: true, result: 'late' });
    const next = runner.request<string>(forget);
    expect(spawned).toHaveLength(2);
    spawned[1]!.events.message({ id: spawned[1]!.posted[0]!.id, ok: true, result: 'fresh' });
    expect(await next).toBe('fresh');
  });

  const run: RequestBody = { type: 'run', notebook: 'x', cells: ['cluster raft nodes=3'], k: 0, options: OPTIONS, payload: {} };

  it('cancelling a run asks it to stop through the shared flag, rejects at once, and keeps the worker (and its caches)', async () => {
    const { runner, spawned } = fake();
    const t = token();
    const cancelled = runner.request(run, t as never);
    const other = runner.request<string>(forget);
    const [req, otherReq] = spawned[0]!.posted as [Extract<Request, { type: 'run' }>, Request];
    expect(req.stop).toBeInstanceOf(Int32Array);
    expect(Atomics.load(req.stop!, 0)).toBe(0);
    t.cancel();
    await expect(cancelled).rejects.toBeInstanceOf(Cancelled);
    expect(Atomics.load(req.stop!, 0)).toBe(1);
    expect(spawned[0]!.terminated).toBe(false);
    // The stopped run's answer is ignored; the other request is still answered by the same worker.
    spawned[0]!.events.message({ id: req.id, ok: true, result: 'stopped run' });
    spawned[0]!.events.message({ id: otherReq.id, ok: true, result: 'other' });
    expect(await other).toBe('other');
    expect(spawned).toHaveLength(1);
    expect(runner.started).toBe(true);
  });

  it(`a run that has not stopped ${STOP_GRACE_MS} ms after a cancel has its worker stopped`, async () => {
    vi.useFakeTimers();
    try {
      const { runner, spawned, other } = await cancelFirstOfTwo(run);
      vi.advanceTimersByTime(STOP_GRACE_MS - 1);
      expect(spawned[0]!.terminated).toBe(false);
      vi.advanceTimersByTime(1);
      expect(spawned[0]!.terminated).toBe(true);
      await expect(other).rejects.toBeInstanceOf(Cancelled);
      expect(runner.started).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a stopped run that answers in time keeps its worker past the grace period', async () => {
    vi.useFakeTimers();
    try {
      const { runner, spawned } = fake();
      const t = token();
      const cancelled = runner.request(run, t as never);
      t.cancel();
      await expect(cancelled).rejects.toBeInstanceOf(Cancelled);
      spawned[0]!.events.message({ id: spawned[0]!.posted[0]!.id, ok: true, result: 'stopped' });
      vi.advanceTimersByTime(2 * STOP_GRACE_MS);
      expect(spawned[0]!.terminated).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects a request whose token is already cancelled without starting a worker', async () => {
    const { runner, spawned } = fake();
    const t = token();
    t.cancel();
    await expect(runner.request(forget, t as never)).rejects.toBeInstanceOf(Cancelled);
    expect(spawned).toHaveLength(0);
    expect(runner.started).toBe(false);
  });

  it('is started by its first request and stopped by a cancel', async () => {
    const { runner } = fake();
    expect(runner.started).toBe(false);
    const t = token();
    const run = runner.request(forget, t as never);
    expect(runner.started).toBe(true);
    t.cancel();
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    expect(runner.started).toBe(false);
  });

  it('a worker that dies fails its requests with the reason; a stopped worker dying later changes nothing', async () => {
    const { runner, spawned } = fake();
    const run = runner.request(forget);
    spawned[0]!.events.failed(new Error('boom'));
    await expect(run).rejects.toThrow('boom');
    const next = runner.request<number>(forget);
    spawned[0]!.events.failed(new Error('exit of the old worker'));
    spawned[1]!.events.message({ id: spawned[1]!.posted[0]!.id, ok: true, result: 7 });
    expect(await next).toBe(7);
  });

  it('an error answer rejects with its text', async () => {
    const { runner, spawned } = fake();
    const run = runner.request(forget);
    spawned[0]!.events.message({ id: spawned[0]!.posted[0]!.id, ok: false, error: 'bad cell' });
    await expect(run).rejects.toThrow('bad cell');
  });

  it('a host that cannot start a worker fails the request with its message', async () => {
    const runner = new Runner({
      description: 'nothing',
      spawn() {
        throw new Error('no Web Worker here');
      },
    });
    await expect(runner.request(forget)).rejects.toThrow('no Web Worker here');
  });
});
