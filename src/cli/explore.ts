// The CLI's `explore` and `merge`: one `explore` line of a notebook, its runs spread over worker threads
// (`--workers`) and machines (`--shard k/n`), and the shards' JSON reports merged. Runs are independent
// and each follows from the cluster's seed and its number, so the lowest-numbered finding is the same
// however the runs are spread: a notebook cell, one process, or many shards all report the same one.
import { Worker } from 'node:worker_threads';
import type { Protocol } from '../lang/ast';
import { type ExploreFinding, type ExploreParams, type ExploreReport, explore, exploreSite } from '../lang/explore';
import type { ExecOptions } from '../lang/interpreter';
import { parseNotebook } from '../lang/notebook';

/** What a shard (or one worker of it) reports, as `explore --json` prints it and `merge` reads it. */
export interface ExploreShardReport {
  file: string;
  /** Which `explore` line of the notebook (1-based), with its parameters (`--seeds` applied). */
  explore: number;
  params: Omit<ExploreParams, 'shard'>;
  protocol: Protocol;
  /** The shards these runs were: `k/n` (1-based), and the runs played. */
  shards: string[];
  runs: number;
  /** The lowest-numbered run that broke something, shrunk; null when none did. */
  finding: ExploreFinding | null;
  /** Set when a run could not finish (it spent the event budget). */
  stopped: 'budget' | null;
}

export interface WorkerJob {
  kind: 'explore';
  text: string;
  file: string;
  which: number;
  /** `--seeds`: how many runs in all (null: the `explore` line's `seeds=`). */
  seeds: number | null;
  shard: { index: number; count: number };
  exec: ExecOptions;
}

type ShardRun = ExploreReport & { params: Omit<ExploreParams, 'shard'>; protocol: Protocol };

/** Runs one shard of one `explore` line in this thread. */
export function exploreShard(job: WorkerJob): ShardRun {
  const cells = parseNotebook(job.text).filter((c) => c.kind === 'code').map((c) => c.text);
  const site = exploreSite(cells, job.which, job.exec);
  if (typeof site === 'string') throw new Error(`${job.file}: ${site}`);
  const params = { ...site.params, seeds: job.seeds ?? site.params.seeds };
  return { ...explore(site.state, site.log, { ...params, shard: job.shard }, job.exec), params, protocol: site.state.protocol! };
}

/**
 * Shard `index` of `count` (0-based), over `workers` threads: worker w plays the runs of shard
 * index + count·w of count·workers. With one worker it runs here, in this thread.
 */
export async function exploreShards(job: Omit<WorkerJob, 'kind' | 'shard'>, index: number, count: number, workers: number, script: string): Promise<ExploreShardReport> {
  const label = `${index + 1}/${count}`;
  const jobs: WorkerJob[] = Array.from({ length: workers }, (_, w) => ({ ...job, kind: 'explore', shard: { index: index + count * w, count: count * workers } }));
  const reports =
    workers === 1
      ? [exploreShard(jobs[0]!)]
      : await Promise.all(
          jobs.map(
            (j) =>
              new Promise<ShardRun>((resolve, reject) => {
                const worker = new Worker(script, { workerData: j });
                worker.once('message', resolve);
                worker.once('error', reject);
                worker.once('exit', (code) => code !== 0 && reject(new Error(`an explore worker stopped with exit code ${code}`)));
              }),
          ),
        );
  return merge(
    reports.map((r) => ({ file: job.file, explore: job.which, params: r.params, protocol: r.protocol, shards: [label], runs: r.runs, finding: r.finding, stopped: r.stopped === 'budget' ? 'budget' : null })),
  );
}

/** Shards of one exploration merged: their runs added up, the lowest-numbered finding kept. */
export function merge(reports: readonly ExploreShardReport[]): ExploreShardReport {
  const first = reports[0]!;
  const what = (r: ExploreShardReport): string => `${r.file}, explore line ${r.explore}, ${JSON.stringify(r.params)}`;
  for (const r of reports) {
    if (what(r) !== what(first)) throw new Error(`these reports are of different explorations: ${what(first)}, and ${what(r)}`);
  }
  let finding: ExploreFinding | null = null;
  for (const r of reports) if (r.finding !== null && (finding === null || r.finding.run < finding.run)) finding = r.finding;
  return {
    ...first,
    shards: [...new Set(reports.flatMap((r) => r.shards))],
    runs: reports.reduce((n, r) => n + r.runs, 0),
    finding,
    stopped: reports.some((r) => r.stopped === 'budget') ? 'budget' : null,
  };
}
