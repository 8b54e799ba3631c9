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
      return `cas ${c.key} ${c.expect ?? '(none)'}->${c.value}`;
    case 'get':
      return `get ${c.key}`;
    case 'lock':
      return `lock ${c.key}`;
    case 'ephemeral':
      return `${c.ifAbsent === true ? 'create' : 'put'} ${c.key}=${c.value} ttl`;
    case 'unlock':
      return `unlock ${c.key} #${c.token}`;
    case 'expire':
      return `expire ${c.key} #${c.token}`;
    case 'write':
      return `write ${c.key} ${c.value}${c.token === null ? '' : ` #${c.token}`}`;
  }
}
