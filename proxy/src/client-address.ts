/** A peer address as telemetry records it: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as plain IPv4. */
export function clientAddress(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
