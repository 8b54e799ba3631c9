import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, orList, suggest } from '../../../src/lang/diagnostics';

describe('suggestions', () => {
  it('edit distance counts insertions, deletions, substitutions and adjacent swaps', () => {
    expect(editDistance('crash', 'crash')).toBe(0);
    expect(editDistance('crsh', 'crash')).toBe(1);
    expect(editDistance('carsh', 'crash')).toBe(1);
    expect(editDistance('cluster', 'clsuter')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests within a third of the length, closest first, then alphabetically', () => {
    expect(suggest('sep', ['set', 'step', 'run'])).toEqual(['set', 'step']);
    expect(suggest('partiton', ['partition', 'isolate'])).toEqual(['partition']);
    expect(suggest('xyz', ['partition'])).toEqual([]);
  });

  it('suggests what the word starts, for two letters or more', () => {
    expect(suggest('ch', ['check-quorum', 'heartbeat'])).toEqual(['check-quorum']);
    expect(suggest('c', ['check-quorum'])).toEqual([]);
  });

  it('does not suggest names that differ only in digits', () => {
    expect(suggest('n7', ['n1', 'n2', 'n3'])).toEqual([]);
    expect(suggest('us4', ['us1', 'eu1'])).toEqual([]);
    expect(suggest('nn1', ['n1', 'n2'])).toEqual(['n1']);
  });

  it('formats "Did you mean …?" with up to three candidates', () => {
    expect(didYouMean('cras', ['crash'])).toEqual({ text: ' Did you mean `crash`?', best: 'crash' });
    expect(didYouMean('st', ['set', 'step', 'stable', 'stop'])).toEqual({ text: ' Did you mean `set`, `step` or `stop`?', best: 'set' });
    expect(didYouMean('zzz', ['crash'])).toEqual({ text: '', best: null });
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b'])).toBe('a or b');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });
});
