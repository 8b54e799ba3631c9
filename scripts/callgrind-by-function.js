#!/usr/bin/env node
// Per-function costs of N steady runs, from two callgrind profiles of `dist/bench.js --load` (one with
// the warm-up only, one with N more runs) and the perf map files V8 wrote for them (`--perf-basic-prof`).
// Callgrind cannot name code the JIT made; the perf map can: it lists each optimized function's address
// range. So every instruction is charged to our function by name, or to V8's (builtins, collector).
//
// usage: node scripts/callgrind-by-function.js BASE.out BASE.map MORE.out MORE.map EVENTS [TOP]
// Prints, per event: instructions, instruction-cache misses (I1), data-cache read and write misses (D1),
// misses in the simulated last-level cache (LL: instructions and data, the ones that go to memory),
// in total and by kind (our compiled code, V8's builtins, the rest: collector, runtime, compiler), then
// the TOP functions, then the callers of the write barrier (Builtins_RecordWriteSaveFP) and of any
// other function named in CALLERS_OF (comma-separated, e.g. Builtins_LoadIC_Megamorphic).
'use strict';
const fs = require('node:fs');

const BARRIER = 'Builtins_RecordWriteSaveFP';

/** Address -> name of the optimized function there, from a perf map file's text (`start size name`). */
function symbols(mapText) {
  const rows = [];
  for (const line of mapText.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) rows.push([parseInt(m[1], 16), parseInt(m[2], 16), m[3]]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return (addr) => {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid][0] <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    const r = rows[hi];
    return r && addr < r[0] + r[1] ? r[2] : null;
  };
}

/**
 * Costs (Ir Dr Dw I1mr D1mr D1mw ...) by function, and for each of `callees` (the write barrier by
 * default) its calls by calling function.
 */
function profile(outText, mapText, callees = [BARRIER]) {
  const sym = symbols(mapText);
  const costs = new Map();
  const callers = new Map(callees.map((c) => [c, new Map()]));
  const names = new Map();
  let fn = '';
  let callee = '';
  let calls = -1;
  let addr = 0;
  for (const line of outText.split('\n')) {
    const named = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line);
    if (named) {
      if (named[3] !== undefined) names.set(named[2], named[3]);
      if (named[1] === 'fn') fn = names.get(named[2]);
      else callee = names.get(named[2]);
      continue;
    }
    if (line.startsWith('calls=')) {
      calls = Number(line.slice(6).split(' ')[0]);
      continue;
    }
    const c = line[0];
    if (!(c === '+' || c === '-' || c === '*' || (c >= '0' && c <= '9'))) continue;
    const parts = line.split(' ');
    const p = parts[0];
    addr = p.startsWith('0x') ? parseInt(p, 16) : p === '*' ? addr : p[0] === '+' ? addr + Number(p.slice(1)) : p[0] === '-' ? addr - Number(p.slice(1)) : Number(p);
    // Our code has no symbol for valgrind; the perf map names it.
    const own = fn.startsWith('0x') || fn === '???' ? sym(addr) : null;
    const key = own !== null ? own.replace(/^JS:/, 'JS ') : fn.startsWith('0x') ? 'JIT code without a name' : fn;
    if (calls >= 0) {
      // The cost line after `calls=` is the callee's inclusive cost: only the call count is ours.
      const by = callers.get(callee);
      if (by !== undefined) by.set(key, (by.get(key) ?? 0) + calls);
      calls = -1;
      continue;
    }
    let row = costs.get(key);
    if (row === undefined) costs.set(key, (row = new Array(9).fill(0)));
    for (let i = 2; i < parts.length && i < 11; i++) row[i - 2] += Number(parts[i]);
  }
  return { costs, callers };
}

/** a - b, key by key (a key missing from one side counts as zero there). */
function minus(a, b) {
  const out = new Map();
  const zero = (v) => (Array.isArray(v) ? v.map(() => 0) : 0);
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k) ?? zero(b.get(k));
    const y = b.get(k) ?? zero(x);
    out.set(k, Array.isArray(x) ? x.map((v, i) => v - y[i]) : x - y);
  }
  return out;
}

function main() {
  const [base, baseMap, more, moreMap, eventsArg, topArg] = process.argv.slice(2);
  if (!eventsArg) {
    process.stderr.write('usage: callgrind-by-function.js BASE.out BASE.map MORE.out MORE.map EVENTS [TOP]\n');
    process.exit(2);
  }
  const EVENTS = Number(eventsArg);
  const TOP = Number(topArg ?? 30);
  const read = (f) => fs.readFileSync(f, 'utf8');
  const callees = [BARRIER, ...(process.env['CALLERS_OF'] ?? '').split(',').filter((c) => c !== '' && c !== BARRIER)];
  const A = profile(read(base), read(baseMap), callees);
  const B = profile(read(more), read(moreMap), callees);
  const costs = minus(B.costs, A.costs);
  const kind = (k) => (k.startsWith('JS ') ? 'our code' : k.startsWith('Builtins_') ? 'builtins' : 'the rest');
  const sums = new Map();
  for (const [k, v] of costs) {
    for (const g of ['all', kind(k)]) {
      const s = sums.get(g) ?? new Array(9).fill(0);
      v.forEach((x, i) => (s[i] += x));
      sums.set(g, s);
    }
  }
  const fmt = (v) =>
    `Ir ${(v[0] / EVENTS).toFixed(0).padStart(6)}  I1 miss ${(v[3] / EVENTS).toFixed(1).padStart(6)}  D1 miss ${(v[4] / EVENTS).toFixed(1).padStart(5)} rd ${(v[5] / EVENTS).toFixed(1).padStart(5)} wr  LL miss ${((v[6] + v[7] + v[8]) / EVENTS).toFixed(2).padStart(5)}`;
  process.stdout.write(`per steady event (${EVENTS} events):\n`);
  for (const g of ['all', 'our code', 'builtins', 'the rest']) process.stdout.write(`  ${g.padEnd(9)} ${fmt(sums.get(g) ?? new Array(9).fill(0))}\n`);
  process.stdout.write(`\ntop ${TOP} by instructions + 10 x cache misses:\n`);
  const weight = (v) => v[0] + 10 * (v[3] + v[4] + v[5]);
  for (const [k, v] of [...costs].sort((a, b) => weight(b[1]) - weight(a[1])).slice(0, TOP)) {
    process.stdout.write(`  ${fmt(v)}  ${k.slice(0, 90)}\n`);
  }
  for (const callee of callees) {
    const by = minus(B.callers.get(callee), A.callers.get(callee));
    process.stdout.write(`\n${callee === BARRIER ? `write barrier (${BARRIER})` : callee} calls per event, by caller:\n`);
    for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      if (v > 0) process.stdout.write(`  ${(v / EVENTS).toFixed(2).padStart(6)}  ${k.slice(0, 90)}\n`);
    }
  }
}

if (require.main === module) main();
module.exports = { profile, minus };
