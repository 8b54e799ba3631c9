// Stable printers for engine data, shared by the checkers and the protocols (etcd-raft's describe):
// the same input always prints the same text.
import type { Command } from './trace';

export function describeCommand(c: Command): string {
  switch (c.op) {
    case 'noop':
      return 'no-op';
    case 'put':
      return `put ${c.key}=${c.value}`;
    case 'delete':
      return `delete ${c.key}`;
    case 'cas':
      return `cas ${c.key} ${c.expect}->${c.value}`;
    case 'get':
      return `get ${c.key}`;
  }
}
