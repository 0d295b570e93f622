import { createHash } from 'node:crypto';

/** Namespace of every id the dashboards generate (a fixed random UUID). */
export const LOOKOUT_DASHBOARDS_NAMESPACE = '5b0f3c9e-8d1a-4c52-9b7e-3f6a2d41e870';

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of namespace + name), so that a rebuild gives
 * every saved object, layer and column the same id and re-importing overwrites instead of
 * duplicating.
 * @example stableId('data-view:lookout-requests*')
 */
export function stableId(name: string, namespace: string = LOOKOUT_DASHBOARDS_NAMESPACE): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) throw new Error(`stableId: namespace ${namespace} is not a UUID`);
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
